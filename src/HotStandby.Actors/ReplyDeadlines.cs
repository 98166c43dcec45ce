namespace HotStandby.Actors;

/// <summary>
/// Fails a write's reply task with a <see cref="TimeoutException"/> when the store has not answered it by its deadline.
/// One sweep timer serves every write: <c>Task.WaitAsync(timeout)</c> cost each write a timer, a promise task and a
/// timer-queue update, on the hot path of every HTTP write. The store answers writes in log order, so the answered
/// ones at the head leave the queue as new ones arrive and it holds about as many entries as there are writes in flight.
/// </summary>
public sealed class ReplyDeadlines : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Func<long> _nowMs;
    private readonly Timer _timer;
    private Queue<(TaskCompletionSource<object> Reply, long DeadlineMs, TimeSpan Timeout)> _waiting = new();
    private bool _disposed;

    /// <param name="sweepEvery">how often overdue replies are failed: a reply fails at most this late</param>
    /// <param name="nowMs">a monotonic clock in milliseconds (tests give their own)</param>
    public ReplyDeadlines(TimeSpan sweepEvery, Func<long> nowMs)
    {
        _nowMs = nowMs;
        _timer = new Timer(_ => Sweep(), null, sweepEvery, sweepEvery);
    }

    /// <summary>Entries still held: the writes in flight, and answered ones queued behind an unanswered one.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _waiting.Count;
        }
    }

    /// <returns>the reply's task, which fails with a <see cref="TimeoutException"/> if nobody answers within <paramref name="timeout"/></returns>
    public Task<object> Track(TaskCompletionSource<object> reply, TimeSpan timeout)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                reply.TrySetException(new TimeoutException("the node's actor system has stopped"));
                return reply.Task;
            }
            while (_waiting.TryPeek(out var head) && head.Reply.Task.IsCompleted) _waiting.Dequeue();
            _waiting.Enqueue((reply, _nowMs() + (long)timeout.TotalMilliseconds, timeout));
        }
        return reply.Task;
    }

    /// <summary>Fails every unanswered reply past its deadline and drops the answered ones (the timer calls this).</summary>
    public void Sweep()
    {
        var now = _nowMs();
        List<(TaskCompletionSource<object> Reply, TimeSpan Timeout)>? overdue = null;
        lock (_lock)
        {
            var kept = new Queue<(TaskCompletionSource<object>, long, TimeSpan)>();
            foreach (var entry in _waiting)
            {
                if (entry.Reply.Task.IsCompleted) continue;
                if (entry.DeadlineMs <= now) (overdue ??= new()).Add((entry.Reply, entry.Timeout));
                else kept.Enqueue(entry);
            }
            _waiting = kept;
        }
        // Outside the lock: a failed reply's continuation (the HTTP error answer) runs right here.
        foreach (var (reply, timeout) in overdue ?? [])
            reply.TrySetException(new TimeoutException($"the store did not answer within {timeout.TotalMilliseconds:F0} ms"));
    }

    /// <summary>Stops the timer and fails what is still unanswered: nothing will answer it once the node stops.</summary>
    public void Dispose()
    {
        List<TaskCompletionSource<object>> left;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            left = _waiting.Select(w => w.Reply).ToList();
            _waiting.Clear();
        }
        _timer.Dispose();
        foreach (var reply in left) reply.TrySetException(new TimeoutException("the node's actor system has stopped"));
    }
}
