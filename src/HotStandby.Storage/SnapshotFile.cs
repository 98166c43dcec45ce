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

    /// <returns>the file's size in bytes</returns>
    public static long Write(string path, LogPosition position, IReadOnlyList<(long Epoch, long FirstIndex)> epochs,
        IReadOnlyCollection<KeyValuePair<string, byte[]>> data)
    {
        var tmp = path + ".tmp";
        long size;
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            fs.Write(Magic);
            var output = new Encoder(fs);
            output.PutLong(position.Epoch);
            output.PutLong(position.Index);
            output.PutLong(epochs.Count);
            foreach (var (epoch, first) in epochs)
            {
                output.PutLong(epoch);
                output.PutLong(first);
            }
            output.PutLong(data.Count);
            if (data is KvArena.View view)
                view.ForEachRecord(output.PutRecord); // straight from the arena: no string and array per key
            else
                foreach (var (key, value) in data) output.PutRecord(key, value);
            output.End();
            fs.Flush(flushToDisk: true);
            size = fs.Length;
        }
        File.Move(tmp, path, overwrite: true);
        DurableFile.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return size;
    }

    /// <summary>
    /// Encodes into one buffer and hands the file and the checksum whole buffers: a record costs a few copies, not
    /// four buffered writes and four checksum calls.
    /// </summary>
    private sealed class Encoder(FileStream file)
    {
        private byte[] _buffer = new byte[1 << 16];
        private int _used;
        private uint _crc = Crc32C.Start;

        public void PutLong(long v)
        {
            Reserve(8);
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_used), v);
            _used += 8;
        }

        public void PutRecord(ReadOnlySpan<char> key, ReadOnlySpan<byte> value)
        {
            Reserve(8 + Encoding.UTF8.GetMaxByteCount(key.Length) + value.Length);
            var keyBytes = Encoding.UTF8.GetBytes(key, _buffer.AsSpan(_used + 4));
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_used), keyBytes);
            _used += 4 + keyBytes;
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_used), value.Length);
            value.CopyTo(_buffer.AsSpan(_used + 4));
            _used += 4 + value.Length;
        }

        /// <summary>Writes what is buffered and the checksum of everything after the magic.</summary>
        public void End()
        {
            Drain();
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer, Crc32C.Finish(_crc));
            file.Write(_buffer, 0, 4);
        }

        private void Reserve(int bytes)
        {
            if (_buffer.Length - _used >= bytes) return;
            Drain();
            if (_buffer.Length < bytes) _buffer = new byte[bytes]; // a value larger than the buffer
        }

        private void Drain()
        {
            var filled = _buffer.AsSpan(0, _used);
            _crc = Crc32C.Append(_crc, filled);
            file.Write(filled);
            _used = 0;
        }
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
