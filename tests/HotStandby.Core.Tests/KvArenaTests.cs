using System.Text;
using HotStandby.Core.Data;
using Xunit;

namespace HotStandby.Core.Tests;

public sealed class KvArenaTests
{
    private static byte[] Bytes(Random rng, int length)
    {
        var b = new byte[length];
        rng.NextBytes(b);
        return b;
    }

    private static Dictionary<string, byte[]> Read(IEnumerable<KeyValuePair<string, byte[]>> view) =>
        view.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static void AssertSame(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var got), key);
            Assert.Equal(value, got);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Behaves_as_a_dictionary_and_frozen_views_keep_their_moment_through_writes_and_compactions(int seed)
    {
        var rng = new Random(seed);
        var arena = new KvArena();
        var model = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var frozen = new List<(KvArena.View View, Dictionary<string, byte[]> Then)>();
        for (var op = 0; op < 40_000; op++)
        {
            var key = rng.Next(6) == 0 ? $"ключ-😀-{rng.Next(500)}" : $"k{rng.Next(3_000)}";
            switch (rng.Next(10))
            {
                case < 6:
                    var value = Bytes(rng, rng.Next(20) == 0 ? 0 : rng.Next(1, 300));
                    arena.Put(key, value);
                    model[key] = value;
                    break;
                case < 8:
                    Assert.Equal(model.Remove(key), arena.Remove(key));
                    break;
                case 8:
                    Assert.Equal(model.TryGetValue(key, out var expected), arena.TryGet(key, out var actual));
                    if (expected is not null) Assert.Equal(expected, actual);
                    Assert.Equal(model.ContainsKey(key), arena.Contains(key));
                    break;
                default:
                    if (rng.Next(50) == 0) frozen.Add((arena.Freeze(), new Dictionary<string, byte[]>(model, StringComparer.Ordinal)));
                    if (rng.Next(200) == 0) arena.Compact();
                    break;
            }
            Assert.Equal(model.Count, arena.Count);
        }
        AssertSame(model, Read(arena.Freeze()));
        Assert.NotEmpty(frozen);
        foreach (var (view, then) in frozen)
        {
            Assert.Equal(then.Count, view.Count);
            AssertSame(then, Read(view));
        }
    }

    [Fact]
    public void A_value_larger_than_a_chunk_gets_a_chunk_of_its_own_and_small_ones_continue_after_it()
    {
        var arena = new KvArena();
        var big = Bytes(new Random(7), KvArena.ChunkBytes + 1000);
        arena.Put("small-1", "a"u8);
        arena.Put("big", big);
        arena.Put("small-2", "b"u8);
        Assert.True(arena.TryGet("big", out var got));
        Assert.Equal(big, got);
        Assert.True(arena.TryGet("small-1", out var s1));
        Assert.True(arena.TryGet("small-2", out var s2));
        Assert.Equal("ab", Encoding.ASCII.GetString(s1) + Encoding.ASCII.GetString(s2));
    }

    [Fact]
    public void Overwritten_values_are_reclaimed_once_the_garbage_outgrows_the_live_data()
    {
        var arena = new KvArena();
        var value = new byte[1024];
        for (var i = 0; i < 100_000; i++) arena.Put($"k{i % 100}", value); // ~100 MB written, ~100 KB live
        Assert.Equal(100, arena.Count);
        Assert.True(arena.ArenaBytes < 70L << 20, $"{arena.ArenaBytes} bytes held");
        Assert.True(arena.TryGet("k42", out var v) && v.Length == 1024);
    }

    [Fact]
    public void Many_keys_removed_and_added_again_keep_every_key_findable()
    {
        var arena = new KvArena();
        for (var round = 0; round < 5; round++)
        {
            for (var i = 0; i < 10_000; i++) arena.Put($"k{i}", BitConverter.GetBytes(i + round));
            for (var i = 0; i < 10_000; i += 2) Assert.True(arena.Remove($"k{i}"));
            Assert.Equal(5_000, arena.Count);
            for (var i = 1; i < 10_000; i += 2)
            {
                Assert.True(arena.TryGet($"k{i}", out var v));
                Assert.Equal(i + round, BitConverter.ToInt32(v));
            }
            for (var i = 0; i < 10_000; i += 2) Assert.False(arena.Contains($"k{i}"));
        }
    }
}
