using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Settings;
using Xunit;

namespace HotStandby.Storage.Tests;

/// <summary>
/// The segment being written is zero-filled ahead of its last record (so an fsync commits no size change); these
/// check that the zeros are a clean end, that a sealed segment is cut to its records, and that a crash which left an
/// unsynced sector as zeros while later ones landed recovers the synced prefix and cuts everything after the hole.
/// </summary>
public sealed class SegmentAllocationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hs-alloc-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<string> _notices = new();

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private DataStore Open(StorageSettings? options = null) => DataStore.Open(_dir, options ?? StorageSettings.Default, _notices.Add);

    private static void Append(DataStore store, int count, int valueBytes = 40)
    {
        for (var i = 0; i < count; i++)
        {
            var index = store.LastIndex + 1;
            store.Append(new LogEntry(1, index, EntryKind.Put, $"k{index}", Encoding.UTF8.GetBytes(new string('v', valueBytes))));
        }
    }

    private string LastSegment() => Directory.GetFiles(Path.Combine(_dir, "log"), "*.seg").Order().Last();

    /// <returns>the last segment after <paramref name="count"/> synced appends and a clean close</returns>
    private string WriteSynced(int count)
    {
        using (var store = Open())
        {
            Append(store, count);
            store.Sync();
        }
        return LastSegment();
    }

    [Fact]
    public void A_synced_segment_has_zero_filled_space_after_its_records_and_restarts_cleanly()
    {
        var segment = WriteSynced(100);
        var bytes = File.ReadAllBytes(segment);
        var end = DataStoreTests.RecordEnd(bytes, 100);
        Assert.True(bytes.Length >= end + SegmentedLog.AllocationChunkBytes / 2, $"file {bytes.Length} bytes, records end at {end}");
        Assert.True(bytes.AsSpan(end).IndexOfAnyExcept((byte)0) < 0);

        using (var reopened = Open())
        {
            Assert.Equal(100, reopened.LastIndex);
            Append(reopened, 5); // written over the zeros, not after them
            reopened.Sync();
        }
        using var again = Open();
        Assert.Equal(105, again.LastIndex);
        Assert.Equal(bytes.Length, new FileInfo(segment).Length); // the file did not grow: the records took zeros' place
        Assert.Empty(_notices);
    }

    [Fact]
    public void A_sealed_segment_ends_at_its_last_record()
    {
        var options = StorageSettings.Default with { SegmentBytes = 4096 };
        using (var store = Open(options))
        {
            for (var i = 0; i < 20; i++)
            {
                Append(store, 10);
                store.Sync();
            }
        }
        var segments = Directory.GetFiles(Path.Combine(_dir, "log"), "*.seg").Order().ToList();
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");
        foreach (var sealedSegment in segments[..^1])
        {
            var bytes = File.ReadAllBytes(sealedSegment);
            var records = 0;
            for (var at = SegmentedLog.HeaderBytes; at < bytes.Length; at += 8 + BitConverter.ToInt32(bytes, at)) records++;
            Assert.Equal(bytes.Length, DataStoreTests.RecordEnd(bytes, records)); // no zeros after the last record
        }
        using var reopened = Open(options);
        Assert.Equal(200, reopened.LastIndex);
        Assert.Empty(_notices);
    }

    [Fact]
    public void An_unsynced_sector_left_as_zeros_before_later_data_is_a_torn_tail_cut_at_the_damaged_record()
    {
        using (var store = Open())
        {
            Append(store, 20);
            store.Sync();
            Append(store, 60); // ~5 KiB past the synced records: several sectors
            store.Sync();
        }
        var segment = LastSegment();
        var bytes = File.ReadAllBytes(segment);
        var durable = DataStoreTests.RecordEnd(bytes, 20);
        // The page cache wrote the unsynced sectors back out of order: one in the middle never landed.
        var hole = (durable / 512 + 3) * 512;
        Array.Clear(bytes, hole, 512);
        File.WriteAllBytes(segment, bytes);
        var damaged = 0;
        while (DataStoreTests.RecordEnd(bytes, damaged + 1) <= hole) damaged++; // records wholly before the hole

        using (var reopened = Open())
        {
            Assert.Equal(damaged, reopened.LastIndex);
            Assert.InRange(reopened.LastIndex, 20, 79);
            Assert.Contains(_notices, n => n.Contains("never reached the disk") && n.Contains(segment));
            Assert.Equal(DataStoreTests.RecordEnd(bytes, damaged), new FileInfo(segment).Length); // later data cut off
            Append(reopened, 3);
            reopened.Sync();
        }
        _notices.Clear();
        using var again = Open();
        Assert.Equal(damaged + 3, again.LastIndex);
        Assert.Empty(_notices);
    }

    [Fact]
    public void A_damaged_record_without_a_zero_sector_before_later_records_still_refuses_to_start()
    {
        var segment = WriteSynced(80);
        var bytes = File.ReadAllBytes(segment);
        var offset = DataStoreTests.RecordEnd(bytes, 30);
        bytes[offset + 20] ^= 0x5A;
        File.WriteAllBytes(segment, bytes);

        var e = Assert.Throws<CorruptDataException>(() => Open());
        Assert.Equal(segment, e.FilePath);
        Assert.Equal(offset, e.Offset);
    }
}
