using HotStandby.Core.Data;

namespace HotStandby.Core.Replication;

/// <summary>What the standby's log looks like to the consistency check.</summary>
public interface ILogView
{
    long LastIndex { get; }

    /// <summary>The last index covered by the snapshot; entries up to it are committed and no longer individually held.</summary>
    long SnapshotIndex { get; }

    /// <summary>The epoch of the entry at <paramref name="index"/>, for SnapshotIndex ≤ index ≤ LastIndex.</summary>
    long EpochAt(long index);

    /// <summary>The first index held that carries the same epoch as the entry at <paramref name="index"/>.</summary>
    long FirstIndexOfEpochAt(long index);
}

public abstract record AppendPlan
{
    /// <summary>The log does not hold the primary's previous entry: the primary should resend from <paramref name="NextIndex"/>.</summary>
    public sealed record Reject(long NextIndex, string Why) : AppendPlan;

    /// <summary>Drop everything from <paramref name="TruncateFrom"/> (the primary never had it), then append <paramref name="Append"/>.</summary>
    public sealed record Accept(long? TruncateFrom, IReadOnlyList<LogEntry> Append, long MatchIndex) : AppendPlan;
}

/// <summary>Raft's AppendEntries consistency check: find the last common (epoch, index) and what to truncate and append.</summary>
public static class FollowerAppend
{
    public static AppendPlan Decide(ILogView log, long prevEpoch, long prevIndex, IReadOnlyList<LogEntry> entries)
    {
        if (prevIndex > log.LastIndex)
            return new AppendPlan.Reject(log.LastIndex + 1, $"log ends at {log.LastIndex}, before the primary's previous entry {prevIndex}");
        if (prevIndex > log.SnapshotIndex && log.EpochAt(prevIndex) != prevEpoch)
        {
            var next = Math.Max(log.SnapshotIndex + 1, log.FirstIndexOfEpochAt(prevIndex));
            return new AppendPlan.Reject(next,
                $"entry {prevIndex} has epoch {log.EpochAt(prevIndex)} here and {prevEpoch} on the primary");
        }

        long? truncateFrom = null;
        var start = 0;
        for (; start < entries.Count; start++)
        {
            var e = entries[start];
            if (e.Index <= log.SnapshotIndex) continue; // committed, already in the snapshot
            if (e.Index > log.LastIndex) break;
            if (log.EpochAt(e.Index) != e.Epoch)
            {
                truncateFrom = e.Index;
                break;
            }
        }
        var append = start == 0 ? entries : entries.Skip(start).ToList();
        return new AppendPlan.Accept(truncateFrom, append, prevIndex + entries.Count);
    }
}
