using HotStandby.Core.Data;
using HotStandby.Core.Roles;

namespace HotStandby.Actors.Protocol;

/// <summary>A client's PUT or DELETE, answered with <see cref="WriteCommitted"/> or <see cref="WriteRefused"/>.</summary>
public sealed record ClientWrite(EntryKind Kind, string Key, byte[]? Value)
{
    /// <summary>
    /// When set (in-process HTTP writes), the answer completes this instead of going to the sender: the HTTP request's
    /// continuation then runs on the store's thread, one thread-pool wake-up less per write.
    /// </summary>
    public TaskCompletionSource<object>? Reply { get; init; }
}

public sealed record WriteCommitted(long Epoch, long Index);

/// <param name="Status">the HTTP status that says it: 404 (no such key), 503 (not primary, no lease, not confirmed in time)</param>
/// <param name="NotPrimary">this node is not the primary: the client belongs on another node</param>
public sealed record WriteRefused(int Status, string Error, bool NotPrimary = false);

/// <summary>A client's GET, answered with <see cref="ReadResult"/>.</summary>
public sealed record ClientRead(string Key);

/// <param name="Status">200, 404, or 503 when a primary cannot vouch for what it holds (no lease, or not yet committed its epoch's first entry)</param>
public sealed record ReadResult(int Status, byte[]? Value, long AppliedIndex, string? Error)
{
    /// <summary>Served by the primary under its lease (a standby's read may be stale).</summary>
    public bool FromPrimary { get; init; }

    public long Epoch { get; init; }
}

/// <summary>The supervisor's word on what the store may do: who is primary, until when writes may be acknowledged.</summary>
/// <param name="WritableUntilMs">the lease deadline on the node's monotonic clock (long.MinValue when not primary)</param>
/// <param name="NotEligible">standbys this primary marked not eligible for promotion</param>
/// <param name="Excused">of those, the ones the voters confirmed: the primary may commit without them</param>
/// <param name="DataPeers">peers known to hold data (the standby candidates)</param>
/// <param name="DownPeers">data peers the failure detection gave up on</param>
public sealed record WriteGate(long Epoch, NodeRole Role, string? PrimaryId, long WritableUntilMs,
    IReadOnlyCollection<string> NotEligible, IReadOnlyCollection<string> Excused, IReadOnlyCollection<string> DataPeers,
    IReadOnlyCollection<string> DownPeers)
{
    public bool Equals(WriteGate? other) =>
        other is not null && Epoch == other.Epoch && Role == other.Role && PrimaryId == other.PrimaryId
        && WritableUntilMs == other.WritableUntilMs && NotEligible.SequenceEqual(other.NotEligible)
        && Excused.SequenceEqual(other.Excused) && DataPeers.SequenceEqual(other.DataPeers) && DownPeers.SequenceEqual(other.DownPeers);

    public override int GetHashCode() => HashCode.Combine(Epoch, Role, PrimaryId, WritableUntilMs);
}

/// <summary>What the store holds, for the core (votes, heartbeats) and for status.</summary>
public sealed record StoreProgress(
    LogPosition LastLog,
    long CommitIndex,
    long AppliedIndex,
    long ReplicatedIndex,
    IReadOnlyCollection<string> CaughtUp,
    ReplicationReport Replication)
{
    /// <summary>The store refuses writes for a switchover: <see cref="LastLog"/> is final until the hand-over.</summary>
    public bool Sealed { get; init; }
}

/// <summary>The replication part of <c>/status</c>.</summary>
public sealed record ReplicationReport(
    string Mode,
    bool InSync,
    long? LagEntries,
    long? LagMs,
    string? Standby,
    bool? StandbyEligible,
    long? StandbyMatchIndex,
    LogPosition Snapshot,
    long Keys,
    IReadOnlyList<string> DivergedFiles,
    string? LastDivergence,
    long WritesAcknowledged,
    string? LastRefusal);

/// <summary>The store's sync policy asks the core to change a standby's eligibility (see SyncPolicy).</summary>
public sealed record EligibilityRequest(string NodeId, bool Eligible, string Reason);

// ---- between the primary's store and its replication senders (local) ----

/// <summary>A sender introduces itself; the store answers with <see cref="SenderWelcome"/> and then pushes new entries.</summary>
public sealed record RegisterSender(string PeerId, long Epoch);

public sealed record SenderWelcome(long LastIndex, long Commit);

/// <summary>Entries just appended (pushed before the primary's own fsync, so the standby works in parallel).</summary>
public sealed record EntriesAppended(IReadOnlyList<LogEntry> Entries, long Commit);

public sealed record CommitAdvanced(long Commit);

public sealed record ReadEntries(long From, int MaxCount, int MaxBytes);

/// <param name="PrevEpoch">the epoch of the entry before <paramref name="From"/></param>
public sealed record EntriesRead(long From, long PrevEpoch, IReadOnlyList<LogEntry> Entries, long Commit, long LastIndex);

/// <summary>The entries asked for are compacted away: the standby needs this snapshot first.</summary>
public sealed record SnapshotNeeded(string Path, LogPosition Position);

/// <summary>The standby confirmed its log matches the primary's, durably, up to <paramref name="MatchIndex"/>.</summary>
public sealed record PeerMatched(string PeerId, long Epoch, long MatchIndex);
