using System.Collections;
using System.Runtime.InteropServices;

namespace HotStandby.Core.Data;

/// <summary>
/// The applied key-value state without two heap objects per key: each key (UTF-16) and its value sit back to back in
/// large append-only chunks, and an open-addressing index of plain structs points at them. The garbage collector then
/// marks a few arrays instead of millions of objects, and a write's key and value are not copied from the young
/// generations into the old one. Records are never changed in place (a new value is appended, the old one becomes
/// garbage, reclaimed by compaction into new chunks), so a frozen copy of the index reads a consistent state while
/// writes go on. Not thread-safe: one writer; frozen views may be read on any thread.
/// </summary>
public sealed class KvArena
{
    private const int Empty = -1, Removed = -2;
    public const int ChunkBytes = 1 << 20;
    private const long CompactAfterGarbageBytes = 64L << 20;

    internal struct Slot
    {
        public int Hash, Chunk, Offset, KeyBytes, ValueBytes;
    }

    private Slot[] _slots;
    private int _count, _removed;
    private List<byte[]> _chunks = new();
    private int _tailUsed = ChunkBytes; // no tail chunk yet
    private long _liveBytes, _garbageBytes;

    public KvArena() => _slots = NewSlots(16);

    public int Count => _count;

    /// <summary>Bytes of keys and values held, live and garbage (for tests and figures).</summary>
    public long ArenaBytes => _liveBytes + _garbageBytes;

    public bool Contains(string key) => Find(key, Hash(key)) >= 0;

    public bool TryGet(string key, out byte[] value)
    {
        var i = Find(key, Hash(key));
        if (i < 0)
        {
            value = null!;
            return false;
        }
        value = ValueOf(_chunks, _slots[i]).ToArray();
        return true;
    }

    public void Put(string key, ReadOnlySpan<byte> value) => Put(key.AsSpan(), value);

    public void Put(ReadOnlySpan<char> key, ReadOnlySpan<byte> value)
    {
        var hash = Hash(key);
        var i = Find(key, hash);
        var (chunk, offset) = Append(key, value);
        var slot = new Slot { Hash = hash, Chunk = chunk, Offset = offset, KeyBytes = key.Length * 2, ValueBytes = value.Length };
        _liveBytes += slot.KeyBytes + slot.ValueBytes;
        if (i >= 0)
        {
            Forget(_slots[i]);
            _slots[i] = slot;
        }
        else
        {
            if ((_count + _removed + 1) * 10 > _slots.Length * 7) Rehash(Math.Max(16, (int)RoundUpToPowerOf2((_count + 1) * 2L)));
            _slots[FreeSlotFor(hash)] = slot;
            _count++;
        }
        if (_garbageBytes > CompactAfterGarbageBytes && _garbageBytes > _liveBytes) Compact();
    }

    public bool Remove(string key)
    {
        var i = Find(key, Hash(key));
        if (i < 0) return false;
        Forget(_slots[i]);
        _slots[i] = new Slot { Chunk = Removed };
        _count--;
        _removed++;
        return true;
    }

    /// <summary>A point-in-time view (the index copied, the chunks shared) that later writes do not change.</summary>
    public View Freeze()
    {
        var live = new Slot[_count];
        var n = 0;
        foreach (var s in _slots)
            if (s.Chunk >= 0) live[n++] = s;
        return new View(live, _chunks.ToArray());
    }

    /// <summary>Copies the live records into new chunks, leaving the garbage behind (frozen views keep the old ones).</summary>
    public void Compact()
    {
        var old = _chunks;
        _chunks = new List<byte[]>();
        _tailUsed = ChunkBytes;
        _garbageBytes = 0;
        for (var i = 0; i < _slots.Length; i++)
        {
            if (_slots[i].Chunk < 0) continue;
            var s = _slots[i];
            var (chunk, offset) = AppendRecord(old[s.Chunk].AsSpan(s.Offset, s.KeyBytes + s.ValueBytes));
            _slots[i].Chunk = chunk;
            _slots[i].Offset = offset;
        }
    }

    private static int Hash(ReadOnlySpan<char> key) => string.GetHashCode(key) & int.MaxValue;

    private static Slot[] NewSlots(int length)
    {
        var slots = new Slot[length];
        slots.AsSpan().Fill(new Slot { Chunk = Empty });
        return slots;
    }

    private static long RoundUpToPowerOf2(long n) => (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)n);

    private int Find(ReadOnlySpan<char> key, int hash)
    {
        var keyBytes = MemoryMarshal.AsBytes(key);
        var mask = _slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            ref var s = ref _slots[i];
            if (s.Chunk == Empty) return -1;
            if (s.Chunk >= 0 && s.Hash == hash && s.KeyBytes == keyBytes.Length
                && _chunks[s.Chunk].AsSpan(s.Offset, s.KeyBytes).SequenceEqual(keyBytes)) return i;
        }
    }

    /// <summary>The first removed or empty slot on the key's probe path (the key is known to be absent).</summary>
    private int FreeSlotFor(int hash)
    {
        var mask = _slots.Length - 1;
        for (var i = hash & mask; ; i = (i + 1) & mask)
        {
            if (_slots[i].Chunk == Removed)
            {
                _removed--;
                return i;
            }
            if (_slots[i].Chunk == Empty) return i;
        }
    }

    private void Rehash(int length)
    {
        var old = _slots;
        _slots = NewSlots(length);
        _removed = 0;
        var mask = length - 1;
        foreach (var s in old)
        {
            if (s.Chunk < 0) continue;
            var i = s.Hash & mask;
            while (_slots[i].Chunk != Empty) i = (i + 1) & mask;
            _slots[i] = s;
        }
    }

    private void Forget(Slot s)
    {
        _liveBytes -= s.KeyBytes + s.ValueBytes;
        _garbageBytes += s.KeyBytes + s.ValueBytes;
    }

    private (int Chunk, int Offset) Append(ReadOnlySpan<char> key, ReadOnlySpan<byte> value)
    {
        var keyBytes = MemoryMarshal.AsBytes(key);
        var (chunk, offset) = Reserve(keyBytes.Length + value.Length);
        keyBytes.CopyTo(_chunks[chunk].AsSpan(offset));
        value.CopyTo(_chunks[chunk].AsSpan(offset + keyBytes.Length));
        return (chunk, offset);
    }

    private (int Chunk, int Offset) AppendRecord(ReadOnlySpan<byte> record)
    {
        var (chunk, offset) = Reserve(record.Length);
        record.CopyTo(_chunks[chunk].AsSpan(offset));
        return (chunk, offset);
    }

    /// <summary>Room for one record: in the tail chunk, else a new one (as large as the record if it is larger).</summary>
    private (int Chunk, int Offset) Reserve(int bytes)
    {
        if (ChunkBytes - _tailUsed < bytes)
        {
            _chunks.Add(new byte[Math.Max(ChunkBytes, bytes)]);
            _tailUsed = 0;
        }
        var offset = _tailUsed;
        _tailUsed += bytes;
        if (_chunks[^1].Length > ChunkBytes) _tailUsed = ChunkBytes; // an outsized record's chunk holds nothing else
        return (_chunks.Count - 1, offset);
    }

    private static ReadOnlySpan<byte> ValueOf(IReadOnlyList<byte[]> chunks, Slot s) => chunks[s.Chunk].AsSpan(s.Offset + s.KeyBytes, s.ValueBytes);

    /// <summary>One record of a frozen state, as spans into the arena (valid during the call only).</summary>
    public delegate void RecordAction(ReadOnlySpan<char> key, ReadOnlySpan<byte> value);

    /// <summary>A frozen state: its records in no particular order, as (key, value) pairs made on reading.</summary>
    public sealed class View : IReadOnlyCollection<KeyValuePair<string, byte[]>>
    {
        /// <summary>Each record without copying it out (a snapshot writer's way: no string and array per key).</summary>
        public void ForEachRecord(RecordAction action)
        {
            foreach (var s in _live)
                action(MemoryMarshal.Cast<byte, char>(_chunks[s.Chunk].AsSpan(s.Offset, s.KeyBytes)), ValueOf(_chunks, s));
        }

        private readonly Slot[] _live;
        private readonly byte[][] _chunks;

        internal View(Slot[] live, byte[][] chunks)
        {
            _live = live;
            _chunks = chunks;
        }

        public int Count => _live.Length;

        public IEnumerator<KeyValuePair<string, byte[]>> GetEnumerator()
        {
            foreach (var s in _live)
            {
                var key = new string(MemoryMarshal.Cast<byte, char>(_chunks[s.Chunk].AsSpan(s.Offset, s.KeyBytes)));
                yield return new KeyValuePair<string, byte[]>(key, ValueOf(_chunks, s).ToArray());
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
