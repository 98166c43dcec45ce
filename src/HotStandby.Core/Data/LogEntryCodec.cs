using System.Buffers.Binary;
using System.Text;

namespace HotStandby.Core.Data;

/// <summary>
/// The compact binary form of a <see cref="LogEntry"/>, shared by the log file and the replication serializer:
/// epoch (8) | index (8) | kind (1) | key length (4) | key UTF-8 | value length (4, -1 = none) | value.
/// </summary>
public static class LogEntryCodec
{
    private const int FixedBytes = 8 + 8 + 1 + 4 + 4;

    public static int SizeOf(LogEntry e) => FixedBytes + Encoding.UTF8.GetByteCount(e.Key) + (e.Value?.Length ?? 0);

    /// <returns>the number of bytes written</returns>
    public static int Write(LogEntry e, Span<byte> into)
    {
        BinaryPrimitives.WriteInt64LittleEndian(into, e.Epoch);
        BinaryPrimitives.WriteInt64LittleEndian(into[8..], e.Index);
        into[16] = (byte)e.Kind;
        var keyBytes = Encoding.UTF8.GetBytes(e.Key, into[21..]);
        BinaryPrimitives.WriteInt32LittleEndian(into[17..], keyBytes);
        var at = 21 + keyBytes;
        BinaryPrimitives.WriteInt32LittleEndian(into[at..], e.Value?.Length ?? -1);
        at += 4;
        if (e.Value is { } v)
        {
            v.CopyTo(into[at..]);
            at += v.Length;
        }
        return at;
    }

    /// <exception cref="FormatException">the bytes are not one well-formed entry</exception>
    public static LogEntry Read(ReadOnlySpan<byte> from, out int consumed)
    {
        if (from.Length < FixedBytes) throw new FormatException($"entry needs at least {FixedBytes} bytes, got {from.Length}");
        var epoch = BinaryPrimitives.ReadInt64LittleEndian(from);
        var index = BinaryPrimitives.ReadInt64LittleEndian(from[8..]);
        var kind = from[16];
        if (kind > (byte)EntryKind.Delete) throw new FormatException($"unknown entry kind {kind}");
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(from[17..]);
        if (keyLength < 0 || 21 + keyLength + 4 > from.Length) throw new FormatException($"bad key length {keyLength}");
        var key = Encoding.UTF8.GetString(from.Slice(21, keyLength));
        var at = 21 + keyLength;
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(from[at..]);
        at += 4;
        if (valueLength < -1 || at + Math.Max(0, valueLength) > from.Length) throw new FormatException($"bad value length {valueLength}");
        byte[]? value = valueLength < 0 ? null : from.Slice(at, valueLength).ToArray();
        consumed = at + Math.Max(0, valueLength);
        return new LogEntry(epoch, index, (EntryKind)kind, key, value);
    }
}
