using Xunit;

namespace HotStandby.Actors.Tests;

public sealed class ReplyDeadlinesTests : IDisposable
{
    private static readonly TimeSpan NoTimerSweep = TimeSpan.FromHours(1); // the tests sweep by hand
    private long _now = 1_000;
    private readonly ReplyDeadlines _deadlines;

    public ReplyDeadlinesTests() => _deadlines = new ReplyDeadlines(NoTimerSweep, () => _now);

    public void Dispose() => _deadlines.Dispose();

    private static TaskCompletionSource<object> Reply() => new();

    [Fact]
    public void An_unanswered_reply_fails_with_a_timeout_once_its_deadline_has_passed_and_not_before()
    {
        var task = _deadlines.Track(Reply(), TimeSpan.FromMilliseconds(500));
        _now += 499;
        _deadlines.Sweep();
        Assert.False(task.IsCompleted);
        _now += 1;
        _deadlines.Sweep();
        var e = Assert.IsType<TimeoutException>(task.Exception!.InnerException);
        Assert.Contains("500 ms", e.Message);
        Assert.Equal(0, _deadlines.Count);
    }

    [Fact]
    public async Task An_answered_reply_keeps_its_answer_and_leaves_the_queue_when_the_next_write_comes()
    {
        var first = Reply();
        var task = _deadlines.Track(first, TimeSpan.FromMilliseconds(100));
        first.SetResult("committed");
        _ = _deadlines.Track(Reply(), TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, _deadlines.Count);
        _now += 1_000;
        _deadlines.Sweep();
        Assert.Equal("committed", await task);
        Assert.Equal(0, _deadlines.Count);
    }

    [Fact]
    public void A_shorter_deadline_queued_behind_a_longer_one_still_fails_on_time()
    {
        var slow = _deadlines.Track(Reply(), TimeSpan.FromSeconds(10));
        var fast = _deadlines.Track(Reply(), TimeSpan.FromMilliseconds(100));
        _now += 100;
        _deadlines.Sweep();
        Assert.True(fast.IsFaulted);
        Assert.False(slow.IsCompleted);
        Assert.Equal(1, _deadlines.Count);
    }

    [Fact]
    public void Answered_replies_behind_an_unanswered_one_are_dropped_by_the_sweep()
    {
        var stuck = _deadlines.Track(Reply(), TimeSpan.FromSeconds(10));
        for (var i = 0; i < 100; i++)
        {
            var r = Reply();
            _ = _deadlines.Track(r, TimeSpan.FromSeconds(10));
            r.SetResult(i);
        }
        Assert.Equal(101, _deadlines.Count);
        _deadlines.Sweep();
        Assert.Equal(1, _deadlines.Count);
        Assert.False(stuck.IsCompleted);
    }

    [Fact]
    public void Disposing_fails_what_is_unanswered_and_later_writes_at_once()
    {
        var pending = _deadlines.Track(Reply(), TimeSpan.FromSeconds(10));
        _deadlines.Dispose();
        Assert.IsType<TimeoutException>(pending.Exception!.InnerException);
        var late = _deadlines.Track(Reply(), TimeSpan.FromSeconds(10));
        Assert.Contains("stopped", late.Exception!.InnerException!.Message);
    }

    [Fact]
    public async Task The_timer_sweeps_by_itself()
    {
        using var deadlines = new ReplyDeadlines(TimeSpan.FromMilliseconds(20), () => Environment.TickCount64);
        var task = deadlines.Track(Reply(), TimeSpan.FromMilliseconds(50));
        // The sweep's own message names the write's timeout; WaitAsync's generous bound would say something else.
        var e = await Assert.ThrowsAsync<TimeoutException>(() => task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("50 ms", e.Message);
    }
}
