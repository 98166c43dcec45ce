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
    public bool IsDataNode => Role != NodeRole.Witness;
}
