namespace HotStandby.Core.Replication;

/// <summary>How far the standby trails in time: when the oldest entry it has not confirmed was appended.</summary>
public sealed class ReplicationLag
{
    private readonly Queue<(long Index, long AtMs)> _samples = new();
    private (long Index, long AtMs)? _newest;

    /// <summary>Entries up to <paramref name="lastIndex"/> exist from <paramref name="nowMs"/> on (one sample per ms is kept).</summary>
    public void Appended(long lastIndex, long nowMs)
    {
        if (_newest is { } n && n.AtMs == nowMs)
        {
            _newest = (lastIndex, nowMs);
            return;
        }
        if (_newest is { } done) _samples.Enqueue(done);
        _newest = (lastIndex, nowMs);
    }

    public void Confirmed(long matchIndex)
    {
        while (_samples.TryPeek(out var s) && s.Index <= matchIndex) _samples.Dequeue();
        if (_samples.Count == 0 && _newest is { } n && n.Index <= matchIndex) _newest = null;
    }

    /// <summary>Age of the oldest unconfirmed entry (0 when the standby holds everything).</summary>
    public long LagMs(long nowMs) =>
        _samples.TryPeek(out var s) ? nowMs - s.AtMs : _newest is { } n ? nowMs - n.AtMs : 0;

    public void Clear()
    {
        _samples.Clear();
        _newest = null;
    }
}
