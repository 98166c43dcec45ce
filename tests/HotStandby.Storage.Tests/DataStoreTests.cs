using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Settings;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Storage.Tests;

public sealed class DataStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hs-data-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<string> _notices = new();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private DataStore Open(StorageSettings? options = null) => DataStore.Open(_dir, options ?? StorageSettings.Default, _notices.Add);

    private static LogEntry Put(long epoch, long index, string key, string value) =>
        new(epoch, index, EntryKind.Put, key, Encoding.UTF8.GetBytes(value));

    private static void Write(DataStore store, int count, long epoch = 1)
    {
        for (var i = 0; i < count; i++)
        {
            var index = store.LastIndex + 1;
            store.Append(Put(epoch, index, $"k{index}", $"v{index}"));
        }
        store.Sync();
        store.ApplyThrough(store.LastIndex);
    }

    private string LastSegment() => Directory.GetFiles(Path.Combine(_dir, "log"), "*.seg").Order().Last();

    [Fact]
    public void Entries_survive_a_restart_and_are_applied()
    {
        using (var store = Open()) Write(store, 50);
        using var reopened = Open();
        Assert.Equal(new LogPosition(1, 50), reopened.LastLog);
        Assert.True(reopened.State.TryGet("k50", out var v));
        Assert.Equal("v50", Encoding.UTF8.GetString(v));
        Assert.Empty(_notices);
    }

    [Fact]
    public void Torn_tail_is_truncated_and_logged()
    {
        using (var store = Open()) Write(store, 10);
        var segment = LastSegment();
        var end = RecordEnd(File.ReadAllBytes(segment), 10); // zero-filled space follows the records
        using (var fs = new FileStream(segment, FileMode.Open)) fs.SetLength(end - 3); // cut inside the last record

        using var reopened = Open();
        Assert.Equal(9, reopened.LastIndex);
        Assert.Contains(_notices, n => n.Contains("torn record") && n.Contains(segment));
        Write(reopened, 1); // appends continue cleanly after the cut
        reopened.Dispose();
        using var again = Open();
        Assert.Equal(10, again.LastIndex);
    }

    [Fact]
    public void Crash_between_append_and_fsync_recovers_the_synced_prefix()
    {
        using (var store = Open())
        {
            Write(store, 20);
            for (var i = 21; i <= 25; i++) store.Append(Put(1, i, $"k{i}", "unsynced"));
            store.Sync();
        }
        // Simulate the page cache losing the unsynced tail mid-record: keep 20 whole records and part of the 21st.
        var segment = LastSegment();
        var bytes = File.ReadAllBytes(segment);
        var cut = RecordEnd(bytes, 20) + 5;
        File.WriteAllBytes(segment, bytes[..cut]);

        using var reopened = Open();
        Assert.Equal(20, reopened.LastIndex);
        Assert.False(reopened.State.Contains("k21"));
    }

    [Fact]
    public void Corruption_in_the_middle_refuses_to_start_with_path_and_offset()
    {
        using (var store = Open()) Write(store, 10);
        var segment = LastSegment();
        var bytes = File.ReadAllBytes(segment);
        var offset = RecordEnd(bytes, 4); // start of record 5
        bytes[offset + 12] ^= 0xFF; // inside its payload
        File.WriteAllBytes(segment, bytes);

        var e = Assert.Throws<CorruptDataException>(() => Open());
        Assert.Equal(segment, e.FilePath);
        Assert.Equal(offset, e.Offset);
        Assert.Contains(segment, e.Message);
        Assert.Equal(bytes.Length, new FileInfo(segment).Length); // nothing rewritten
    }

    [Fact]
    public void Corrupt_last_record_followed_by_nothing_is_a_torn_tail_but_a_corrupt_earlier_segment_is_not()
    {
        var options = StorageSettings.Default with { SegmentBytes = 300 };
        using (var store = Open(options)) Write(store, 30);
        var segments = Directory.GetFiles(Path.Combine(_dir, "log"), "*.seg").Order().ToList();
        Assert.True(segments.Count > 2);
        var first = segments[0];
        var bytes = File.ReadAllBytes(first);
        bytes[^2] ^= 0xFF; // last record of a sealed segment
        File.WriteAllBytes(first, bytes);
        var e = Assert.Throws<CorruptDataException>(() => Open(options));
        Assert.Equal(first, e.FilePath);
    }

    [Fact]
    public void Snapshot_compaction_and_recovery_round_trip()
    {
        var options = StorageSettings.Default with { SegmentBytes = 2048, SnapshotEveryEntries = 100 };
        using (var store = Open(options))
        {
            Write(store, 250);
            store.Append(new LogEntry(1, 251, EntryKind.Delete, "k7", null));
            store.Sync();
            store.ApplyThrough(251);
            var job = store.PlanSnapshot(replicatedIndex: 251);
            Assert.NotNull(job);
            job!.Run();
            store.SnapshotWritten(job);
            Assert.True(store.FirstLogIndex > 1, "segments behind the snapshot are deleted");
            Write(store, 20, epoch: 2);
        }
        using var reopened = Open(options);
        Assert.Equal(new LogPosition(1, 251), reopened.Snapshot);
        Assert.Equal(new LogPosition(2, 271), reopened.LastLog);
        Assert.False(reopened.State.Contains("k7"));
        Assert.True(reopened.State.Contains("k271"));
        Assert.Equal(250 - 1 + 20, reopened.State.Count);
        Assert.Equal(1, reopened.EpochAt(5)); // epoch history survives compaction
    }

    [Fact]
    public void Snapshot_waits_for_the_standby_unless_the_log_grew_too_long()
    {
        var options = StorageSettings.Default with { SnapshotEveryEntries = 10, MaxRetainedEntries = 100 };
        using var store = Open(options);
        Write(store, 50);
        Assert.Null(store.PlanSnapshot(replicatedIndex: 20));
        Write(store, 100);
        Assert.NotNull(store.PlanSnapshot(replicatedIndex: 20));
    }

    [Fact]
    public void Snapshots_come_no_more_often_than_the_last_one_held_keys_also_after_a_restart()
    {
        var options = StorageSettings.Default with { SnapshotEveryEntries = 10 };
        using (var store = Open(options))
        {
            Write(store, 100); // 100 distinct keys
            TakeSnapshot(store);
            Write(store, 99);
            Assert.Null(store.PlanSnapshot(store.LastIndex)); // 99 entries since a snapshot of 100 keys
            Write(store, 1);
            TakeSnapshot(store); // now 200 keys
        }
        using var reopened = Open(options);
        Write(reopened, 199);
        Assert.Null(reopened.PlanSnapshot(reopened.LastIndex));
        Write(reopened, 1);
        Assert.NotNull(reopened.PlanSnapshot(reopened.LastIndex));
    }

    [Fact]
    public void A_small_state_is_snapshotted_every_snapshot_every_entries()
    {
        var options = StorageSettings.Default with { SnapshotEveryEntries = 10 };
        using var store = Open(options);
        Overwrite(store, 30);
        TakeSnapshot(store); // one key
        Overwrite(store, 9);
        Assert.Null(store.PlanSnapshot(store.LastIndex));
        Overwrite(store, 1);
        Assert.NotNull(store.PlanSnapshot(store.LastIndex));
    }

    /// <summary>Writes <paramref name="count"/> values of one key, synced and applied.</summary>
    private static void Overwrite(DataStore store, int count)
    {
        for (var i = 0; i < count; i++) store.Append(Put(1, store.LastIndex + 1, "same", $"v{store.LastIndex + 1}"));
        store.Sync();
        store.ApplyThrough(store.LastIndex);
    }

    [Fact]
    public void A_snapshot_keeps_keys_of_any_script_and_length_and_empty_values_byte_for_byte()
    {
        var longKey = "long-" + new string('ж', 400); // past the reader's first key buffer
        var big = new byte[200_000]; // larger than the writer's 64 KiB encoding buffer
        new Random(7).NextBytes(big);
        var many = Enumerable.Range(0, 3000).Select(i => ($"k{i}", Enumerable.Repeat((byte)i, 100).ToArray())); // across buffer ends
        var entries = new (string Key, byte[] Value)[] { ("ключ-😀", "значение"u8.ToArray()), ("empty", []), (longKey, [0, 255, 7]), ("big", big) }
            .Concat(many).ToArray();
        var options = StorageSettings.Default with { SnapshotEveryEntries = 1 };
        using (var store = Open(options))
        {
            foreach (var (key, value) in entries) store.Append(new LogEntry(1, store.LastIndex + 1, EntryKind.Put, key, value));
            store.Sync();
            store.ApplyThrough(store.LastIndex);
            var job = TakeSnapshot(store);
            Assert.Equal(new FileInfo(job.Path).Length, job.Written.Bytes);
        }
        using var reopened = Open(options);
        Assert.Equal(new LogPosition(1, entries.Length), reopened.Snapshot);
        Assert.Equal(entries.Length, reopened.State.Count);
        foreach (var (key, value) in entries)
        {
            Assert.True(reopened.State.TryGet(key, out var got), key);
            Assert.Equal(value, got);
        }
    }

    private static SnapshotJob TakeSnapshot(DataStore store)
    {
        var job = store.PlanSnapshot(store.LastIndex);
        Assert.NotNull(job);
        job!.Run();
        store.SnapshotWritten(job);
        return job;
    }

    [Fact]
    public void Corrupt_snapshot_refuses_to_start()
    {
        var options = StorageSettings.Default with { SnapshotEveryEntries = 10 };
        string path;
        using (var store = Open(options))
        {
            Write(store, 20);
            var job = store.PlanSnapshot(20)!;
            job.Run();
            store.SnapshotWritten(job);
            path = job.Path;
        }
        var bytes = File.ReadAllBytes(path);
        bytes[40] ^= 1;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CorruptDataException>(() => Open(options));
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Truncating_a_divergent_suffix_writes_it_to_diverged_and_rolls_the_state_back()
    {
        using var store = Open();
        Write(store, 10);
        store.Append(new LogEntry(2, 11, EntryKind.Put, "k3", "changed"u8.ToArray()));
        store.Append(Put(2, 12, "new", "x"));
        store.Sync();
        store.ApplyThrough(12);

        var path = store.TruncateDiverged(11, "test");
        Assert.NotNull(path);
        Assert.StartsWith(Path.Combine(_dir, "diverged"), path);
        var lines = File.ReadAllLines(path!);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"index\":11", lines[0]);
        Assert.Contains("\"epoch\":2", lines[0]);
        Assert.Equal(10, store.LastIndex);
        Assert.True(store.State.TryGet("k3", out var v));
        Assert.Equal("v3", Encoding.UTF8.GetString(v));
        Assert.False(store.State.Contains("new"));
    }

    /// <summary>Offset just past the <paramref name="count"/>-th record of a segment.</summary>
    internal static int RecordEnd(byte[] segment, int count)
    {
        var at = SegmentedLog.HeaderBytes;
        for (var i = 0; i < count; i++) at += 8 + BitConverter.ToInt32(segment, at);
        return at;
    }
}
