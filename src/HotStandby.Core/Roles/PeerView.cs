namespace HotStandby.Core.Roles;

/// <summary>What this node last heard from one peer, by the peer's own heartbeat.</summary>
public sealed record PeerView(
    string NodeId,
    NodeRole Role,
    long Epoch,
    string? PrimaryId,
    LogPosition LastLog,
    long CommitIndex,
    bool PreferredPrimary,
    bool Eligible,
    long LastHeardMs,
    IReadOnlyList<string> Hears,
    string? HttpUrl,
    long? TerminatedAtMs)
{
    /// <summary>From the peer's heartbeat: it is configured as a witness (its role may still be "starting").</summary>
    public bool FromWitness { get; init; }

    public bool IsDataNode => !FromWitness && Role != NodeRole.Witness;
}
