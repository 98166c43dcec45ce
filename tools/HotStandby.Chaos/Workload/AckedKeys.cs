namespace HotStandby.Chaos.Workload;

/// <summary>The most recent acknowledged writes, for readers to look up (a bounded ring).</summary>
internal sealed class AckedKeys
{
    private readonly OpRecord?[] _ring = new OpRecord?[4096];
    private long _count;

    private long _latestStartMs = -1;

    /// <summary>The latest start time among acknowledged writes: whether writes flow again after a moment.</summary>
    public long LatestStartMs => Interlocked.Read(ref _latestStartMs);

    public void Add(OpRecord write)
    {
        long seen;
        while ((seen = Interlocked.Read(ref _latestStartMs)) < write.StartMs
               && Interlocked.CompareExchange(ref _latestStartMs, write.StartMs, seen) != seen) { }
        var n = Interlocked.Increment(ref _count);
        Volatile.Write(ref _ring[(n - 1) % _ring.Length], write);
    }

    public OpRecord? Pick(Random random)
    {
        var n = Interlocked.Read(ref _count);
        if (n == 0) return null;
        var span = (int)Math.Min(n, _ring.Length);
        return Volatile.Read(ref _ring[(n - 1 - random.Next(span)) % _ring.Length]);
    }
}
