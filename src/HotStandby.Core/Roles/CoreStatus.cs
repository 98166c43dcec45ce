namespace HotStandby.Core.Roles;

/// <summary>A snapshot of the core for status output; times are the node's monotonic clock in ms.</summary>
public sealed record CoreStatus(
    string NodeId,
    NodeRole Role,
    long Epoch,
    string? PrimaryId,
    LogPosition LastLog,
    long CommitIndex,
    bool CanServeWrites,
    long LeaseRemainingMs,
    string? SwitchoverTarget,
    string? FailbackPending,
    RoleChange? LastRoleChange,
    IReadOnlyList<PeerView> Peers)
{
    /// <summary>Standbys this primary excused from sync replication (or, on a voter, the ones it refuses).</summary>
    public IReadOnlyList<string> NotEligible { get; init; } = Array.Empty<string>();
}
