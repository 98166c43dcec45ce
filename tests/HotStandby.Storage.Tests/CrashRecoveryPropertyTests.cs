using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Settings;
using Xunit;

namespace HotStandby.Storage.Tests;

/// <summary>
/// Any sequence of appends, syncs, crashes (the unsynced tail of the file cut at a random byte, or zero-filled) and
/// restarts recovers a prefix of what was written that contains every synced record.
/// </summary>
public sealed class CrashRecoveryPropertyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hs-prop-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData(1, 1L << 20)]
    [InlineData(2, 700L)]
    [InlineData(3, 4096L)]
    public void Recovery_keeps_every_synced_record_and_only_a_prefix(int seed, long segmentBytes)
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable("HS_PROP_RUNS"), out var r) ? r : 40;
        for (var run = 0; run < runs; run++)
            OneHistory(new Random(seed * 10_000 + run), Path.Combine(_root, $"{seed}-{run}"), segmentBytes);
    }

    private static void OneHistory(Random rng, string dir, long segmentBytes)
    {
        var options = StorageSettings.Default with { SegmentBytes = segmentBytes };
        var written = new List<LogEntry>();
        long synced = 0;
        var store = DataStore.Open(dir, options, _ => { });
        (string Path, long Length)? durableTail = null;
        for (var step = 0; step < 30; step++)
        {
            switch (rng.Next(4))
            {
                case 0 or 1:
                    for (var i = rng.Next(1, 8); i > 0; i--)
                    {
                        var e = new LogEntry(1, store.LastIndex + 1, EntryKind.Put, $"k{rng.Next(50)}",
                            Encoding.UTF8.GetBytes(new string('v', rng.Next(0, 60))));
                        store.Append(e);
                        written.Add(e);
                    }
                    break;
                case 2:
                    store.Sync();
                    synced = store.LastIndex;
                    var tail = LastSegment(dir);
                    durableTail = (tail, new FileInfo(tail).Length);
                    break;
                case 3:
                    store.Dispose(); // buffers reach the OS; what follows decides what "the disk" kept
                    Crash(rng, dir, durableTail);
                    store = DataStore.Open(dir, options, _ => { });
                    Assert.InRange(store.LastIndex, synced, written.Count);
                    written.RemoveRange((int)store.LastIndex, written.Count - (int)store.LastIndex);
                    AssertHolds(store, written);
                    synced = store.LastIndex; // recovery truncation is durable
                    var recoveredTail = LastSegment(dir);
                    durableTail = (recoveredTail, new FileInfo(recoveredTail).Length);
                    break;
            }
        }
        store.Dispose();
    }

    private static void Crash(Random rng, string dir, (string Path, long Length)? durableTail)
    {
        var tail = LastSegment(dir);
        var length = new FileInfo(tail).Length;
        var durable = durableTail is { } d && d.Path == tail ? d.Length : SegmentedLog.HeaderBytes;
        if (length <= durable) return;
        var keep = durable + (long)(rng.NextDouble() * (length - durable));
        using var fs = new FileStream(tail, FileMode.Open);
        fs.SetLength(keep);
        if (rng.Next(3) == 0)
        {
            fs.Seek(0, SeekOrigin.End);
            fs.Write(new byte[rng.Next(1, 64)]); // the file system extended the file but the data never landed
        }
    }

    private static void AssertHolds(DataStore store, List<LogEntry> expected)
    {
        var actual = store.Read(1, int.MaxValue, int.MaxValue);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Index, actual[i].Index);
            Assert.Equal(expected[i].Key, actual[i].Key);
            Assert.Equal(expected[i].Value, actual[i].Value);
        }
    }

    private static string LastSegment(string dir) => Directory.GetFiles(Path.Combine(dir, "log"), "*.seg").Order().Last();
}
