using System.Buffers.Binary;
using System.Runtime.Serialization;
using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Roles;

namespace HotStandby.Actors.Serialization;

/// <summary>Appends little-endian fields to a growing buffer: the binary serializers' common writer.</summary>
internal sealed class WireWriter(int capacity)
{
    private byte[] _buffer = new byte[capacity];
    private int _at;

    private Span<byte> Take(int count)
    {
        if (_at + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_at + count, _buffer.Length * 2));
        var span = _buffer.AsSpan(_at, count);
        _at += count;
        return span;
    }

    public void Long(long v) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), v);
    public void Int(int v) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), v);
    public void Bool(bool v) => Take(1)[0] = v ? (byte)1 : (byte)0;
    public void Byte(byte v) => Take(1)[0] = v;

    public void Bytes(ReadOnlySpan<byte> v)
    {
        Int(v.Length);
        v.CopyTo(Take(v.Length));
    }

    public void Str(string v) => Bytes(Encoding.UTF8.GetBytes(v));

    /// <summary>A string that may be absent: a presence flag, then the string.</summary>
    public void OptStr(string? v)
    {
        Bool(v is not null);
        if (v is not null) Str(v);
    }

    public void Strs(IReadOnlyList<string> v)
    {
        Int(v.Count);
        foreach (var s in v) Str(s);
    }

    public void Position(LogPosition p)
    {
        Long(p.Epoch);
        Long(p.Index);
    }

    public void Entry(LogEntry e)
    {
        var size = LogEntryCodec.SizeOf(e);
        Int(size);
        LogEntryCodec.Write(e, Take(size));
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _at).ToArray();
}

/// <summary>Reads what <see cref="WireWriter"/> wrote; a short or malformed message is a <see cref="SerializationException"/> naming the byte.</summary>
internal sealed class WireReader(byte[] bytes, string what)
{
    private int _at;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _at + count > bytes.Length) throw new SerializationException($"{what} truncated at byte {_at} of {bytes.Length}");
        var span = bytes.AsSpan(_at, count);
        _at += count;
        return span;
    }

    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));
    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));
    public bool Bool() => Take(1)[0] != 0;
    public byte Byte() => Take(1)[0];
    public byte[] Bytes() => Take(Int()).ToArray();
    public string Str() => Encoding.UTF8.GetString(Take(Int()));
    public string? OptStr() => Bool() ? Str() : null;

    /// <summary>The length of a list: each element takes at least one byte, so a larger count is a damaged message.</summary>
    public int Count()
    {
        var count = Int();
        return count >= 0 && count <= bytes.Length - _at ? count
            : throw new SerializationException($"{what}: a list of {count} at byte {_at - 4} does not fit in {bytes.Length} bytes");
    }

    public IReadOnlyList<string> Strs()
    {
        var count = Count();
        var list = new string[count];
        for (var i = 0; i < count; i++) list[i] = Str();
        return list;
    }

    public LogPosition Position() => new(Long(), Long());

    public NodeRole Role()
    {
        var at = _at;
        var value = Byte();
        return Enum.IsDefined(typeof(NodeRole), (int)value) ? (NodeRole)value : throw new SerializationException($"{what}: unknown role {value} at byte {at}");
    }

    public LogEntry Entry() => LogEntryCodec.Read(Take(Int()), out _);

    /// <summary>Every byte must have been read: trailing bytes mean a format this node does not know.</summary>
    public void End()
    {
        if (_at != bytes.Length) throw new SerializationException($"{what}: {bytes.Length - _at} unexpected bytes after byte {_at}");
    }
}
