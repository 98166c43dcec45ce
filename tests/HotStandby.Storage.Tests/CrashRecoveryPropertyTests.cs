using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Settings;
using Xunit;

namespace HotStandby.Storage.Tests;

/// <summary>
/// Any sequence of appends, syncs, crashes and restarts recovers a prefix of what was written that contains every synced
/// record. A crash keeps the synced bytes and does any of: cut the file at a random byte after them (and maybe extend
/// it with zeros), or leave random 512-byte sectors written after them as they were before (zeros: the segment's
/// allocation), as a page cache that writes back in any order would.
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
                    break;
                case 3:
                    store.Dispose(); // buffers reach the OS; what follows decides what "the disk" kept
                    Crash(rng, dir, synced, written.Count);
                    store = DataStore.Open(dir, options, _ => { });
                    Assert.InRange(store.LastIndex, synced, written.Count);
                    written.RemoveRange((int)store.LastIndex, written.Count - (int)store.LastIndex);
                    AssertHolds(store, written);
                    synced = store.LastIndex; // recovery truncation is durable
                    break;
            }
        }
        store.Dispose();
    }

    private static void Crash(Random rng, string dir, long synced, long lastWritten)
    {
        var tail = LastSegment(dir);
        var first = long.Parse(Path.GetFileNameWithoutExtension(tail));
        var bytes = File.ReadAllBytes(tail);
        var durable = synced >= first ? DataStoreTests.RecordEnd(bytes, (int)(synced - first + 1)) : SegmentedLog.HeaderBytes;
        var written = lastWritten >= first ? DataStoreTests.RecordEnd(bytes, (int)(lastWritten - first + 1)) : SegmentedLog.HeaderBytes;
        if (written <= durable) return;
        var mode = rng.Next(3);
        if (mode >= 1)
        {
            for (var sector = durable / 512 * 512; sector < written; sector += 512)
                if (rng.Next(3) == 0)
                {
                    var from = Math.Max(sector, durable);
                    Array.Clear(bytes, from, Math.Min(sector + 512, bytes.Length) - from);
                }
            File.WriteAllBytes(tail, bytes);
        }
        if (mode == 1) return;
        var keep = durable + (long)(rng.NextDouble() * (written - durable));
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
