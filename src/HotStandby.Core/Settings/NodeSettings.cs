using HotStandby.Core.Roles;

namespace HotStandby.Core.Settings;

public enum ReplicationMode { Sync, Async }

/// <summary>One configured peer: its Akka address and, when the operator gave it, its node id.</summary>
public sealed record PeerSettings(string Address, string? NodeId);

public sealed record HookSettings(string? OnPromote, string? OnDemote, string? OnFault, TimeSpan Timeout);

/// <summary>
/// Every <c>hotstandby.*</c> setting, typed. Built once from configuration and validated with <see cref="SettingsValidator"/>;
/// nothing else reads raw configuration.
/// </summary>
public sealed record NodeSettings(
    string NodeId,
    bool IsWitness,
    bool PreferredPrimary,
    IReadOnlyList<PeerSettings> Peers,
    string DataDir,
    string HttpHostname,
    int HttpPort,
    TimeSpan HeartbeatInterval,
    TimeSpan AcceptablePause,
    double PhiThreshold,
    double SuspectPhi,
    FailoverMode FailoverMode,
    TimeSpan Lease,
    TimeSpan ElectionTimeout,
    FailbackMode FailbackMode,
    TimeSpan StableAfter,
    TimeSpan SwitchoverTimeout,
    TimeSpan ShutdownHandoverTimeout,
    ReplicationMode ReplicationMode,
    HookSettings Hooks)
{
    public ReplicationSettings Replication { get; init; } = ReplicationSettings.Default;
    public StorageSettings Storage { get; init; } = StorageSettings.Default;
    public KvLimits Kv { get; init; } = KvLimits.Default;

    /// <summary>Whether a data node serves <c>/kv</c> on its own event loop, with the store on the loop's thread (Linux).</summary>
    public bool HttpDataLoop { get; init; } = true;

    public CoreSettings ToCoreSettings() => new(
        NodeId,
        IsWitness,
        PreferredPrimary,
        VoterCount: Peers.Count + 1,
        FailoverMode,
        FailbackMode,
        (long)HeartbeatInterval.TotalMilliseconds,
        (long)AcceptablePause.TotalMilliseconds,
        (long)Lease.TotalMilliseconds,
        (long)ElectionTimeout.TotalMilliseconds,
        (long)StableAfter.TotalMilliseconds,
        (long)SwitchoverTimeout.TotalMilliseconds);
}
