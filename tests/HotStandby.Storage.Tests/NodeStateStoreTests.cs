using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Storage.Tests;

public sealed class NodeStateStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hs-store-" + Guid.NewGuid().ToString("N")[..10]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Missing_file_is_the_initial_state()
    {
        Assert.Equal(PersistentState.Initial, new NodeStateStore(_dir).Load());
    }

    [Theory]
    [InlineData(7, "b")]
    [InlineData(0, null)]
    [InlineData(long.MaxValue, "node-with-a-long.name_1")]
    public void Saved_state_round_trips_through_a_new_store(long epoch, string? vote)
    {
        new NodeStateStore(_dir).Save(new PersistentState(epoch, vote));
        Assert.Equal(new PersistentState(epoch, vote), new NodeStateStore(_dir).Load());
        Assert.False(File.Exists(Path.Combine(_dir, "node-state.tmp")));
    }

    [Fact]
    public void The_not_eligible_list_round_trips_and_is_covered_by_the_crc()
    {
        var store = new NodeStateStore(_dir);
        var state = new PersistentState(12, "b") { NotEligible = ["*", "a"], NotEligibleFrom = "b" };
        store.Save(state);
        Assert.Equal(state, new NodeStateStore(_dir).Load());
        var bytes = File.ReadAllBytes(store.FilePath);
        bytes[^8] ^= 0x01; // the last name's only byte (then the sender: 2 + 1 bytes, then the CRC)
        File.WriteAllBytes(store.FilePath, bytes);
        Assert.Contains("CRC mismatch", Assert.Throws<CorruptDataException>(() => store.Load()).Message);
    }

    [Fact]
    public void A_version_1_file_without_the_list_is_still_read()
    {
        var store = new NodeStateStore(_dir);
        // magic, version 1, epoch 5, vote "a", CRC: as written before the list existed
        var body = new List<byte>("HSNS"u8.ToArray()) { 1 };
        body.AddRange(BitConverter.GetBytes(5L));
        body.AddRange([1, 1, 0, (byte)'a']);
        var crc = Crc32C.Compute(body.ToArray());
        File.WriteAllBytes(store.FilePath, [.. body, .. BitConverter.GetBytes(crc)]);
        Assert.Equal(new PersistentState(5, "a"), store.Load());
    }

    [Fact]
    public void Later_save_replaces_the_earlier_one()
    {
        var store = new NodeStateStore(_dir);
        store.Save(new PersistentState(3, "a"));
        store.Save(new PersistentState(4, null));
        Assert.Equal(new PersistentState(4, null), store.Load());
    }

    [Fact]
    public void Flipped_byte_is_refused_with_path_and_offset()
    {
        var store = new NodeStateStore(_dir);
        store.Save(new PersistentState(9, "w"));
        var bytes = File.ReadAllBytes(store.FilePath);
        bytes[6] ^= 0x40; // inside the epoch
        File.WriteAllBytes(store.FilePath, bytes);
        var e = Assert.Throws<CorruptDataException>(() => store.Load());
        Assert.Equal(store.FilePath, e.FilePath);
        Assert.Equal(bytes.Length - 4, e.Offset);
        Assert.Contains(store.FilePath, e.Message);
        Assert.Contains("CRC mismatch", e.Message);
    }

    [Fact]
    public void Truncated_file_is_refused()
    {
        var store = new NodeStateStore(_dir);
        store.Save(new PersistentState(9, "w"));
        var bytes = File.ReadAllBytes(store.FilePath);
        File.WriteAllBytes(store.FilePath, bytes[..^3]);
        var e = Assert.Throws<CorruptDataException>(() => store.Load());
        Assert.Contains(store.FilePath, e.Message);
    }

    [Fact]
    public void Foreign_file_is_refused_at_offset_zero()
    {
        var store = new NodeStateStore(_dir);
        File.WriteAllText(store.FilePath, "this is not a node state file at all");
        Assert.Equal(0, Assert.Throws<CorruptDataException>(() => store.Load()).Offset);
    }

    [Fact]
    public void Data_directory_is_locked_against_a_second_process()
    {
        using var first = DataDirectoryLock.Acquire(_dir);
        var e = Assert.Throws<IOException>(() => DataDirectoryLock.Acquire(_dir));
        Assert.Contains("in use", e.Message);
        first.Dispose();
        using var again = DataDirectoryLock.Acquire(_dir);
    }
}
