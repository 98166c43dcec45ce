using System.Buffers.Binary;
using HotStandby.Core.Data;

namespace HotStandby.Storage;

/// <summary>
/// Start-up recovery: a torn record at the very end is cut off and reported; any other damage refuses to start.
/// The segment being written ends in zeros (its allocation); those are its clean end. A crash can leave any sector
/// written after the last fsync as zeros while later ones landed (the page cache writes back in any order), so in that
/// segment a damaged record with a zero sector is torn too, and everything from it on is cut off.
/// </summary>
public sealed partial class SegmentedLog
{
    /// <param name="snapshotIndex">the index the snapshot covers; the log must continue at or before the index after it</param>
    /// <param name="onEntry">every entry found, in order (also the ones the snapshot already covers)</param>
    /// <param name="notice">what recovery repaired, for the operator's log</param>
    /// <exception cref="CorruptDataException">damage that is not a torn tail: names the file and byte offset</exception>
    public static SegmentedLog Open(string dir, long segmentBytes, long snapshotIndex, Action<LogEntry> onEntry, Action<string> notice)
    {
        Directory.CreateDirectory(dir);
        foreach (var stale in Directory.GetFiles(dir, "*.tmp")) File.Delete(stale);
        var files = Directory.GetFiles(dir, "*.seg")
            .Select(path => (Path: path, First: ParseFirstIndex(path)))
            .OrderBy(f => f.First)
            .ToList();
        var log = new SegmentedLog(dir, segmentBytes);
        // Segments wholly covered by the snapshot may survive a crash during compaction: they are no longer needed.
        while (files.Count > 1 && files[1].First <= snapshotIndex + 1)
        {
            File.Delete(files[0].Path);
            files.RemoveAt(0);
        }
        if (files.Count == 0)
        {
            log.OpenNewSegment(snapshotIndex + 1);
            log.DurableIndex = snapshotIndex;
            return log;
        }
        if (files[0].First > snapshotIndex + 1)
            throw new CorruptDataException(files[0].Path, 0, $"log starts at index {files[0].First} but the snapshot ends at {snapshotIndex}: entries are missing");

        for (var i = 0; i < files.Count; i++)
        {
            var isLast = i == files.Count - 1;
            if (i > 0 && files[i].First != log.LastIndex + 1)
                throw new CorruptDataException(files[i].Path, 0, $"segment starts at index {files[i].First}, expected {log.LastIndex + 1}");
            var segment = new Segment(files[i].First, files[i].Path);
            var (validLength, torn) = Scan(segment, isLast, onEntry, notice);
            log._segments.Add(segment);
            if (isLast)
            {
                if (torn || validLength < HeaderBytes) CutTail(segment.Path, validLength);
                log.OpenTail(segment.Path, segment.Length);
            }
        }
        log.DurableIndex = log.LastIndex;
        return log;
    }

    /// <returns>the length of the valid prefix of the file, and whether what follows it must be cut off</returns>
    private static (long ValidLength, bool Torn) Scan(Segment segment, bool isLast, Action<LogEntry> onEntry, Action<string> notice)
    {
        var data = File.ReadAllBytes(segment.Path);
        (long, bool) Torn(long offset, string problem)
        {
            if (!isLast) throw new CorruptDataException(segment.Path, offset, problem + " (not the last segment)");
            notice($"{segment.Path}: torn record at byte offset {offset} ({problem}); truncated to {offset} bytes");
            segment.Length = Math.Max(offset, HeaderBytes);
            return (offset, true);
        }

        if (data.Length < HeaderBytes)
            return Torn(0, "segment header incomplete");
        if (!data.AsSpan(0, HeaderBytes).SequenceEqual(Magic))
            throw new CorruptDataException(segment.Path, 0, "not a log segment (bad magic)");

        long at = HeaderBytes;
        var expected = segment.FirstIndex;
        while (at < data.Length)
        {
            if (isLast && data.AsSpan((int)at).IndexOfAnyExcept((byte)0) < 0) break; // allocated, never written: the end
            if (data.Length - at < 8) return Torn(at, "partial record header");
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at));
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at + 4));
            var end = at + 8 + (long)length;
            var damage = length == 0 ? "empty record"
                : length > MaxPayloadBytes ? $"record length {length} exceeds {MaxPayloadBytes}"
                : end > data.Length ? null
                : Crc32C.Compute(data.AsSpan((int)at + 8, (int)length)) != crc ? "checksum mismatch"
                : null;
            if (damage is not null)
            {
                if (isLast && HasZeroSector(data, at, Math.Min(end, data.Length)))
                    return Torn(at, $"{damage}; part of the record never reached the disk");
                // A crash can leave a partly written record followed only by zeros (the file grew, the data never landed).
                if (isLast && end <= data.Length && data.AsSpan((int)end).IndexOfAnyExcept((byte)0) < 0)
                    return Torn(at, $"{damage} in the last record");
                throw new CorruptDataException(segment.Path, at, damage);
            }
            if (end > data.Length) return Torn(at, $"record of {length} bytes extends past the end of the file");
            var payload = data.AsSpan((int)at + 8, (int)length);
            LogEntry entry;
            try
            {
                entry = LogEntryCodec.Read(payload, out _);
            }
            catch (FormatException e)
            {
                throw new CorruptDataException(segment.Path, at, $"undecodable record: {e.Message}");
            }
            if (entry.Index != expected)
                throw new CorruptDataException(segment.Path, at, $"record holds index {entry.Index}, expected {expected}");
            segment.Offsets.Add(at);
            onEntry(entry);
            expected++;
            at += 8 + length;
        }
        segment.Length = at;
        return (at, false);
    }

    /// <summary>
    /// Whether a 512-byte disk sector the record at <paramref name="from"/> touches is all zeros from the record's start
    /// (its first sector) or wholly (the others): a sector that was never written back.
    /// </summary>
    private static bool HasZeroSector(ReadOnlySpan<byte> data, long from, long to)
    {
        const int sector = 512;
        for (var start = from; start < to; start = (start / sector + 1) * sector)
        {
            var sectorEnd = Math.Min((start / sector + 1) * sector, data.Length);
            if (data[(int)start..(int)sectorEnd].IndexOfAnyExcept((byte)0) < 0) return true;
        }
        return false;
    }

    private static void CutTail(string path, long validLength)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        if (validLength < HeaderBytes)
        {
            fs.SetLength(0);
            fs.Write(Magic);
        }
        else
        {
            fs.SetLength(validLength);
        }
        fs.Flush(flushToDisk: true);
    }

    private static long ParseFirstIndex(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path), out var first) && first > 0
            ? first
            : throw new CorruptDataException(path, 0, "segment file name is not a first index");
}
