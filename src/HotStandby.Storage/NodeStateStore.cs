using System.Buffers.Binary;
using System.Text;
using HotStandby.Core.Roles;

namespace HotStandby.Storage;

/// <summary>
/// The node's epoch, vote and the standbys it must refuse, in <c>DATA-DIR/node-state</c>: magic "HSNS", version (2),
/// epoch (int64), vote flag and vote (uint16 length + UTF-8), the not-eligible list (uint16 count, then uint16 length +
/// UTF-8 each), the primary that sent the list (uint16 length + UTF-8, empty for none), CRC-32C of all of that. Version 1 files (no list) are still read. Every save is fsynced before it
/// returns, so a node never acts on, or echoes, anything unrecorded.
/// </summary>
public sealed class NodeStateStore
{
    private static readonly byte[] Magic = "HSNS"u8.ToArray();
    private const byte Version = 2, VersionWithoutList = 1;

    public NodeStateStore(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        FilePath = Path.Combine(dataDir, "node-state");
    }

    public string FilePath { get; }

    public PersistentState Load()
    {
        if (!File.Exists(FilePath)) return PersistentState.Initial;
        var bytes = File.ReadAllBytes(FilePath);
        return Decode(bytes, FilePath);
    }

    public void Save(PersistentState state) => DurableFile.Replace(FilePath, Encode(state));

    public static byte[] Encode(PersistentState state)
    {
        var vote = state.VotedFor is null ? Array.Empty<byte>() : Encoding.UTF8.GetBytes(state.VotedFor);
        var names = state.NotEligible.Select(n => Encoding.UTF8.GetBytes(n)).ToList();
        var from = Encoding.UTF8.GetBytes(state.NotEligibleFrom ?? "");
        var buffer = new byte[4 + 1 + 8 + 1 + 2 + vote.Length + 2 + names.Sum(n => 2 + n.Length) + 2 + from.Length + 4];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], state.Epoch);
        span[13] = state.VotedFor is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)vote.Length);
        vote.CopyTo(span[16..]);
        var at = 16 + vote.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)names.Count);
        at += 2;
        foreach (var name in names)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)name.Length);
            name.CopyTo(span[(at + 2)..]);
            at += 2 + name.Length;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)from.Length);
        from.CopyTo(span[(at + 2)..]);
        at += 2 + from.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Crc32C.Compute(span[..at]));
        return buffer;
    }

    public static PersistentState Decode(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < 20) throw new CorruptDataException(path, bytes.Length, $"file is {bytes.Length} bytes, shorter than any valid node state");
        if (!bytes[..4].SequenceEqual(Magic)) throw new CorruptDataException(path, 0, "not a node-state file (bad magic)");
        if (bytes[4] is not (Version or VersionWithoutList)) throw new CorruptDataException(path, 4, $"unknown version {bytes[4]}");
        var voteLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[14..]);
        var at = 16 + voteLength;
        var names = new List<string>();
        string? from = null;
        if (bytes[4] == Version)
        {
            if (bytes.Length < at + 2 + 4) throw new CorruptDataException(path, 14, $"vote length {voteLength} does not fit in {bytes.Length} bytes");
            var count = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
            at += 2;
            for (var i = 0; i < count; i++)
            {
                if (bytes.Length < at + 2 + 4) throw new CorruptDataException(path, at, $"not-eligible entry {i} of {count} is cut off");
                var length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
                if (bytes.Length < at + 2 + length + 4) throw new CorruptDataException(path, at, $"not-eligible entry {i} ({length} bytes) is cut off");
                names.Add(Encoding.UTF8.GetString(bytes.Slice(at + 2, length)));
                at += 2 + length;
            }
            if (bytes.Length < at + 2 + 4) throw new CorruptDataException(path, at, "the list's sender is cut off");
            var fromLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
            if (bytes.Length < at + 2 + fromLength + 4) throw new CorruptDataException(path, at, $"the list's sender ({fromLength} bytes) is cut off");
            from = fromLength == 0 ? null : Encoding.UTF8.GetString(bytes.Slice(at + 2, fromLength));
            at += 2 + fromLength;
        }
        if (bytes.Length != at + 4)
            throw new CorruptDataException(path, 14, $"lengths inside (vote {voteLength} bytes, {names.Count} not-eligible names) do not match the file length {bytes.Length}");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
        var actual = Crc32C.Compute(bytes[..at]);
        if (stored != actual) throw new CorruptDataException(path, at, $"CRC mismatch (stored {stored:x8}, computed {actual:x8})");
        var epoch = BinaryPrimitives.ReadInt64LittleEndian(bytes[5..]);
        var vote = bytes[13] == 0 ? null : Encoding.UTF8.GetString(bytes.Slice(16, voteLength));
        return new PersistentState(epoch, vote) { NotEligible = names, NotEligibleFrom = from };
    }
}
