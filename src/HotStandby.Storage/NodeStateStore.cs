using System.Buffers.Binary;
using System.Text;
using HotStandby.Core.Roles;

namespace HotStandby.Storage;

/// <summary>
/// The node's epoch and vote, in <c>DATA-DIR/node-state</c>: magic "HSNS", version, epoch (int64), vote (uint16 length +
/// UTF-8), CRC-32C of all of that. Every save is fsynced before it returns, so a node never acts on an unrecorded vote.
/// </summary>
public sealed class NodeStateStore
{
    private static readonly byte[] Magic = "HSNS"u8.ToArray();
    private const byte Version = 1;

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
        var buffer = new byte[4 + 1 + 8 + 1 + 2 + vote.Length + 4];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], state.Epoch);
        span[13] = state.VotedFor is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)vote.Length);
        vote.CopyTo(span[16..]);
        var bodyLength = buffer.Length - 4;
        BinaryPrimitives.WriteUInt32LittleEndian(span[bodyLength..], Crc32C.Compute(span[..bodyLength]));
        return buffer;
    }

    public static PersistentState Decode(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < 20) throw new CorruptDataException(path, bytes.Length, $"file is {bytes.Length} bytes, shorter than any valid node state");
        if (!bytes[..4].SequenceEqual(Magic)) throw new CorruptDataException(path, 0, "not a node-state file (bad magic)");
        if (bytes[4] != Version) throw new CorruptDataException(path, 4, $"unknown version {bytes[4]}");
        var voteLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[14..]);
        var bodyLength = 16 + voteLength;
        if (bytes.Length != bodyLength + 4)
            throw new CorruptDataException(path, 14, $"vote length {voteLength} does not match file length {bytes.Length}");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes[bodyLength..]);
        var actual = Crc32C.Compute(bytes[..bodyLength]);
        if (stored != actual) throw new CorruptDataException(path, bodyLength, $"CRC mismatch (stored {stored:x8}, computed {actual:x8})");
        var epoch = BinaryPrimitives.ReadInt64LittleEndian(bytes[5..]);
        var vote = bytes[13] == 0 ? null : Encoding.UTF8.GetString(bytes.Slice(16, voteLength));
        return new PersistentState(epoch, vote);
    }
}
