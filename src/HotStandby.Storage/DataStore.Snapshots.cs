using HotStandby.Core.Data;
using HotStandby.Core.Roles;

namespace HotStandby.Storage;

/// <summary>Snapshots: taken of the applied state, then the log behind them is compacted; installed from a primary.</summary>
public sealed partial class DataStore
{
    /// <summary>
    /// A snapshot job when one is due: the log since the last snapshot holds <c>SnapshotEveryEntries</c> entries, and at
    /// least as many as that snapshot held keys. A snapshot writes every key, so this keeps its cost per write constant
    /// however large the state grows (Redis rewrites its AOF on the same rule). It covers only what the standby holds
    /// (<paramref name="replicatedIndex"/>), so a divergence can always be replayed from it, unless the log grew
    /// <c>MaxRetainedEntries</c> past that point.
    /// </summary>
    public SnapshotJob? PlanSnapshot(long replicatedIndex)
    {
        var applied = State.Applied;
        if (applied.Index - Snapshot.Index < Math.Max(_options.SnapshotEveryEntries, _snapshotKeys)) return null;
        if (applied.Index > replicatedIndex && applied.Index - replicatedIndex < _options.MaxRetainedEntries) return null;
        var epochs = Epochs.Starts.Where(s => s.FirstIndex <= applied.Index).ToList();
        return new SnapshotJob(Path.Combine(SnapshotDirectory, SnapshotFile.NameFor(applied)), applied, epochs, State.Copy());
    }

    /// <summary>The job's file is durable: make it the snapshot and compact the log behind it.</summary>
    public void SnapshotWritten(SnapshotJob job)
    {
        if (job.Position.Index <= Snapshot.Index) return;
        Snapshot = job.Position;
        SnapshotPath = job.Path;
        _snapshotKeys = job.Data.Count;
        _log.CompactThrough(job.Position.Index);
        DeleteSnapshotsBefore(job.Path);
    }

    /// <summary>Where a snapshot arriving from the primary is assembled.</summary>
    public string IncomingSnapshotPath => Path.Combine(SnapshotDirectory, "incoming.part");

    /// <summary>
    /// Replaces state and log with a snapshot received from the primary (already complete at <see cref="IncomingSnapshotPath"/>).
    /// Local entries the snapshot's epoch history does not confirm are written to <c>diverged/</c> first.
    /// </summary>
    /// <returns>the diverged file written, or null</returns>
    /// <exception cref="CorruptDataException">the received file is damaged (the caller asks for it again)</exception>
    public string? InstallSnapshot(string reason)
    {
        var content = SnapshotFile.Read(IncomingSnapshotPath);
        var theirs = new EpochHistory(content.Epochs);
        string? divergedPath = null;
        var unconfirmed = new List<LogEntry>();
        for (var next = Math.Max(_log.FirstIndex, Snapshot.Index + 1); next <= LastIndex;)
        {
            var chunk = _log.Read(next, 4096, 4 << 20);
            unconfirmed.AddRange(chunk.Where(e => e.Index > content.Position.Index || theirs.EpochAt(e.Index) != e.Epoch));
            next += chunk.Count;
        }
        if (unconfirmed.Count > 0)
            divergedPath = DivergedFile.Write(_dataDir, unconfirmed, reason, DateTimeOffset.UtcNow);

        var path = Path.Combine(SnapshotDirectory, SnapshotFile.NameFor(content.Position));
        File.Move(IncomingSnapshotPath, path, overwrite: true);
        DurableFile.FsyncDirectory(SnapshotDirectory);
        State.Reset(content.Position, content.Data);
        _snapshotKeys = State.Count;
        Epochs = theirs;
        Snapshot = content.Position;
        SnapshotPath = path;
        _unapplied.Clear();
        _log.ResetAfter(content.Position.Index);
        DeleteSnapshotsBefore(path);
        return divergedPath;
    }

    private void DeleteSnapshotsBefore(string keep)
    {
        foreach (var old in Directory.GetFiles(SnapshotDirectory, "*.snap").Where(f => f != keep))
            if (string.CompareOrdinal(Path.GetFileName(old), Path.GetFileName(keep)) < 0) File.Delete(old);
    }
}
