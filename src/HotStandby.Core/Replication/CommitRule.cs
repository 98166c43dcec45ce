using HotStandby.Core.Settings;

namespace HotStandby.Core.Replication;

/// <summary>Where a primary's commit point (the highest index it may acknowledge to clients) stands.</summary>
public static class CommitRule
{
    /// <param name="localDurable">the primary's own fsynced index</param>
    /// <param name="standbyMatch">the index the standby confirmed durable and matching in this epoch</param>
    /// <param name="standbyExcused">the standby was marked not eligible and the voters know it (sync degraded)</param>
    /// <param name="epochStartIndex">the index of this epoch's first entry; nothing commits before it does (Raft §5.4.2)</param>
    public static long Commit(ReplicationMode mode, long current, long localDurable, long standbyMatch, bool standbyExcused, long epochStartIndex)
    {
        var candidate = mode == ReplicationMode.Async || standbyExcused ? localDurable : Math.Min(localDurable, standbyMatch);
        return candidate >= epochStartIndex ? Math.Max(current, candidate) : current;
    }

    /// <summary>The point every data node holds: what a successor must have (sent to voters as the commit index).</summary>
    public static long Replicated(long localDurable, long standbyMatch) => Math.Min(localDurable, standbyMatch);
}
