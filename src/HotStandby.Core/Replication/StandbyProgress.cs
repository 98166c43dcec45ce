using HotStandby.Core.Roles;

namespace HotStandby.Core.Replication;

/// <summary>How the primary judges its standby, and whether a node takes entries from a primary.</summary>
public static class StandbyProgress
{
    /// <summary>In sync: known, eligible, and confirming writes within sync-timeout (the <c>inSync</c> of /status).</summary>
    public static bool InSync(bool standbyKnown, bool eligible, long lagMs, long syncTimeoutMs) =>
        standbyKnown && eligible && lagMs < syncTimeoutMs;

    /// <summary>
    /// Caught up (what failback waits for): in sync, and at most one replication window (batch size × batches in
    /// flight) behind. While writes flow, a standby always trails by what is in flight.
    /// </summary>
    public static bool CaughtUp(bool eligible, long lastIndex, long standbyMatch, long lagMs, long windowEntries, long syncTimeoutMs) =>
        InSync(standbyKnown: true, eligible, lagMs, syncTimeoutMs) && lastIndex - standbyMatch <= windowEntries;

    /// <summary>
    /// Fencing: why a node refuses entries from the primary of <paramref name="entriesEpoch"/>, or null. Entries from
    /// below the highest epoch it knows are stale; entries from an epoch it has not yet recorded durably wait (a vote in
    /// that epoch must never follow them); a primary, or a node that is not running as a standby, takes none.
    /// </summary>
    public static string? FollowerRefusal(long entriesEpoch, long knownEpoch, long recordedEpoch, NodeRole role, bool actingAsPrimary)
    {
        if (entriesEpoch < knownEpoch) return $"epoch {entriesEpoch} is below this node's {knownEpoch}";
        if (entriesEpoch > recordedEpoch) return $"epoch {entriesEpoch} is not yet recorded here (at {recordedEpoch})";
        if (actingAsPrimary || role is NodeRole.Primary or NodeRole.Demoting) return $"this node is {role.ToWire()} in epoch {recordedEpoch}";
        if (role is NodeRole.Faulted or NodeRole.Starting) return $"this node is {role.ToWire()}";
        return null;
    }
}
