using HotStandby.Core.Data;
using HotStandby.Core.Replication;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Storage;

/// <summary>A snapshot to write off the actor's thread: a copy of the state at one position.</summary>
public sealed record SnapshotJob(string Path, LogPosition Position, IReadOnlyList<(long Epoch, long FirstIndex)> Epochs,
    IReadOnlyCollection<KeyValuePair<string, byte[]>> Data)
{
    /// <summary>Bytes written and how long it took, for the log line that reports the snapshot.</summary>
    public (long Bytes, TimeSpan Took) Written { get; private set; }

    public void Run()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var bytes = SnapshotFile.Write(Path, Position, Epochs, Data);
        Written = (bytes, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>
/// A node's data directory: the log (<c>log/</c>), the newest snapshot (<c>snapshots/</c>), divergence records
/// (<c>diverged/</c>) and the applied key-value state. Not thread-safe: one actor owns it.
/// </summary>
public sealed partial class DataStore : ILogView, IDisposable
{
    private readonly string _dataDir;
    private readonly StorageSettings _options;
    private readonly Queue<LogEntry> _unapplied = new();
    private SegmentedLog _log = null!;
    private long _snapshotKeys; // keys in the current snapshot: the next one is due once the log since it is as long

    public KvStateMachine State { get; } = new();
    public EpochHistory Epochs { get; private set; } = new();
    public LogPosition Snapshot { get; private set; }
    public string? SnapshotPath { get; private set; }
    public string DataDir => _dataDir;

    public long LastIndex => _log.LastIndex;
    public long SnapshotIndex => Snapshot.Index;
    public long DurableIndex => _log.DurableIndex;
    public long FirstLogIndex => _log.FirstIndex;
    public LogPosition LastLog => new(EpochAt(LastIndex), LastIndex);

    /// <summary>The last entry that is on disk: what this node may claim to hold (votes, hand-overs).</summary>
    public LogPosition DurableLog => new(EpochAt(DurableIndex), DurableIndex);
    public string SnapshotDirectory => Path.Combine(_dataDir, "snapshots");

    private DataStore(string dataDir, StorageSettings options)
    {
        _dataDir = dataDir;
        _options = options;
    }

    /// <summary>Loads the newest snapshot and replays the log after it.</summary>
    /// <exception cref="CorruptDataException">a snapshot or a log record that is damaged other than a torn tail</exception>
    public static DataStore Open(string dataDir, StorageSettings options, Action<string> notice)
    {
        var store = new DataStore(dataDir, options);
        Directory.CreateDirectory(store.SnapshotDirectory);
        foreach (var stale in Directory.GetFiles(store.SnapshotDirectory).Where(f => !f.EndsWith(".snap", StringComparison.Ordinal)))
            File.Delete(stale);
        var newest = Directory.GetFiles(store.SnapshotDirectory, "*.snap").Order(StringComparer.Ordinal).LastOrDefault();
        if (newest is not null)
        {
            var content = SnapshotFile.Read(newest);
            store.State.Reset(content.Position, content.Data);
            store._snapshotKeys = store.State.Count;
            store.Epochs = new EpochHistory(content.Epochs);
            store.Snapshot = content.Position;
            store.SnapshotPath = newest;
        }
        var snapshotIndex = store.Snapshot.Index;
        store._log = SegmentedLog.Open(Path.Combine(dataDir, "log"), options.SegmentBytes, snapshotIndex, e =>
        {
            if (e.Index <= snapshotIndex) return;
            store.Epochs.Note(e.Epoch, e.Index);
            store.State.Apply(e);
        }, notice);
        return store;
    }

    public long EpochAt(long index) => index == Snapshot.Index ? Snapshot.Epoch : Epochs.EpochAt(index);

    public long FirstIndexOfEpochAt(long index) => Epochs.FirstIndexOfEpochAt(index);

    /// <summary>Buffers one entry; durable after <see cref="Sync"/>, visible to reads after <see cref="ApplyThrough"/>.</summary>
    public void Append(LogEntry entry)
    {
        _log.Append(entry);
        Epochs.Note(entry.Epoch, entry.Index);
        _unapplied.Enqueue(entry);
    }

    public void Sync() => _log.Sync();

    /// <summary>Applies held entries up to <paramref name="index"/>, in order.</summary>
    public void ApplyThrough(long index, Action<LogEntry>? onApplied = null)
    {
        while (_unapplied.TryPeek(out var e) && e.Index <= index)
        {
            _unapplied.Dequeue();
            State.Apply(e);
            onApplied?.Invoke(e);
        }
    }

    /// <summary>Entries for a standby, from <paramref name="from"/>; empty when they are compacted away (send the snapshot).</summary>
    public List<LogEntry> Read(long from, int maxCount, int maxBytes) =>
        from < _log.FirstIndex ? new List<LogEntry>() : _log.Read(from, maxCount, maxBytes);

    /// <summary>
    /// Drops the entries from <paramref name="from"/> on because the primary never had them, after writing them to
    /// <c>diverged/</c>. Returns that file's path (null when nothing was dropped).
    /// </summary>
    public string? TruncateDiverged(long from, string reason)
    {
        if (from > LastIndex) return null;
        if (from <= Snapshot.Index)
            throw new IOException($"{_dataDir}: the primary's log diverges at index {from}, inside this node's snapshot " +
                                  $"(index {Snapshot.Index}); the entries cannot be listed. Move the data directory aside and restart to resync.");
        var dropped = new List<LogEntry>();
        for (var next = from; next <= LastIndex;)
        {
            var chunk = _log.Read(next, 4096, 4 << 20);
            dropped.AddRange(chunk);
            next += chunk.Count;
        }
        var path = DivergedFile.Write(_dataDir, dropped, reason, DateTimeOffset.UtcNow);
        _log.TruncateFrom(from);
        Epochs.TruncateFrom(from);
        if (from <= State.Applied.Index) Rebuild();
        else
        {
            var keep = _unapplied.Where(e => e.Index < from).ToList();
            _unapplied.Clear();
            foreach (var e in keep) _unapplied.Enqueue(e);
        }
        return path;
    }

    public void Dispose() => _log.Dispose();

    /// <summary>The applied state went past the truncation point: start again from the snapshot and replay the log.</summary>
    private void Rebuild()
    {
        if (SnapshotPath is { } path)
        {
            var content = SnapshotFile.Read(path);
            State.Reset(content.Position, content.Data);
        }
        else
        {
            State.Reset(LogPosition.Zero, Array.Empty<KeyValuePair<string, byte[]>>());
        }
        _unapplied.Clear();
        for (var next = Snapshot.Index + 1; next <= LastIndex;)
        {
            var chunk = _log.Read(next, 4096, 4 << 20);
            foreach (var e in chunk) State.Apply(e);
            next += chunk.Count;
        }
    }
}
