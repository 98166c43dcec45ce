using System.Buffers.Binary;
using System.Text;
using HotStandby.Core.Data;
using HotStandby.Core.Roles;

namespace HotStandby.Storage;

/// <summary>
/// A snapshot of the applied state: magic | epoch | index | epoch-history count | (epoch, first index)… | key count |
/// (key length | key | value length | value)… | CRC-32C of everything after the magic. Written to a temporary file,
/// fsynced and renamed, so a crash leaves either the old snapshot or the new one.
/// </summary>
public static class SnapshotFile
{
    private static readonly byte[] Magic = "HSSNAP01"u8.ToArray();

    /// <param name="Data">the keys and values, read straight into an arena (no string and array per key)</param>
    public sealed record Content(LogPosition Position, IReadOnlyList<(long Epoch, long FirstIndex)> Epochs, KvArena Data);

    public static string NameFor(LogPosition position) => $"snapshot-{position.Index:D20}-{position.Epoch}.snap";

    public static void Write(string path, LogPosition position, IReadOnlyList<(long Epoch, long FirstIndex)> epochs,
        IReadOnlyCollection<KeyValuePair<string, byte[]>> data)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var crc = Crc32C.Start;
            var scratch = new byte[1 << 16];
            void Put(ReadOnlySpan<byte> bytes)
            {
                fs.Write(bytes);
                crc = Crc32C.Append(crc, bytes);
            }
            void PutLong(long v)
            {
                BinaryPrimitives.WriteInt64LittleEndian(scratch, v);
                Put(scratch.AsSpan(0, 8));
            }
            void PutBytes(ReadOnlySpan<byte> v)
            {
                BinaryPrimitives.WriteInt32LittleEndian(scratch, v.Length);
                Put(scratch.AsSpan(0, 4));
                Put(v);
            }

            fs.Write(Magic);
            PutLong(position.Epoch);
            PutLong(position.Index);
            PutLong(epochs.Count);
            foreach (var (epoch, first) in epochs)
            {
                PutLong(epoch);
                PutLong(first);
            }
            PutLong(data.Count);
            if (data is KvArena.View view)
            {
                // Straight from the arena: no string and array per key on the snapshot's thread.
                var keyBuffer = new byte[256];
                view.ForEachRecord((key, value) =>
                {
                    var max = Encoding.UTF8.GetMaxByteCount(key.Length);
                    if (keyBuffer.Length < max) keyBuffer = new byte[max];
                    PutBytes(keyBuffer.AsSpan(0, Encoding.UTF8.GetBytes(key, keyBuffer)));
                    PutBytes(value);
                });
            }
            else
            {
                foreach (var (key, value) in data)
                {
                    PutBytes(Encoding.UTF8.GetBytes(key));
                    PutBytes(value);
                }
            }
            BinaryPrimitives.WriteUInt32LittleEndian(scratch, Crc32C.Finish(crc));
            fs.Write(scratch, 0, 4);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        DurableFile.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <exception cref="CorruptDataException">the file is damaged: names it and the byte offset</exception>
    public static Content Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var at = 0;
        void Need(int count, string what)
        {
            if (bytes.Length - at < count) throw new CorruptDataException(path, at, $"file ends inside {what}");
        }
        long GetLong(string what)
        {
            Need(8, what);
            var v = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at));
            at += 8;
            return v;
        }
        ReadOnlySpan<byte> GetBytes(string what)
        {
            Need(4, what);
            var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at));
            if (length < 0) throw new CorruptDataException(path, at, $"negative length in {what}");
            at += 4;
            Need(length, what);
            var span = bytes.AsSpan(at, length);
            at += length;
            return span;
        }

        Need(Magic.Length + 4, "the header");
        if (!bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)) throw new CorruptDataException(path, 0, "not a snapshot (bad magic)");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4));
        if (Crc32C.Compute(bytes.AsSpan(Magic.Length, bytes.Length - 4 - Magic.Length)) != stored)
            throw new CorruptDataException(path, bytes.Length - 4, "snapshot checksum mismatch");
        at = Magic.Length;
        var position = new LogPosition(GetLong("the position"), GetLong("the position"));
        var epochCount = GetLong("the epoch history");
        var epochs = new List<(long, long)>();
        for (var i = 0; i < epochCount; i++) epochs.Add((GetLong("the epoch history"), GetLong("the epoch history")));
        var count = GetLong("the key count");
        var data = new KvArena();
        var keyChars = new char[256];
        for (var i = 0; i < count; i++)
        {
            var keyBytes = GetBytes("a key");
            if (keyChars.Length < keyBytes.Length) keyChars = new char[keyBytes.Length]; // UTF-8 never has fewer bytes than UTF-16 chars
            var key = keyChars.AsSpan(0, Encoding.UTF8.GetChars(keyBytes, keyChars));
            data.Put(key, GetBytes("a value"));
        }
        if (at != bytes.Length - 4) throw new CorruptDataException(path, at, "unexpected bytes after the last key");
        return new Content(position, epochs, data);
    }
}
