using HotStandby.Core.Replication;
using HotStandby.Core.Settings;
using Xunit;

namespace HotStandby.Core.Tests;

public sealed class BatchCoalescingTests
{
    [Fact]
    public void Async_entries_wait_for_the_rest_of_the_delay_counted_from_the_oldest()
    {
        Assert.Equal(2, BatchCoalescing.WaitMs(ReplicationMode.Async, delayMs: 2, batchFull: false, oldestReadyMs: 1000, nowMs: 1000));
        Assert.Equal(1, BatchCoalescing.WaitMs(ReplicationMode.Async, delayMs: 2, batchFull: false, oldestReadyMs: 1000, nowMs: 1001));
    }

    [Fact]
    public void Async_entries_go_once_the_delay_is_up()
    {
        Assert.Equal(0, BatchCoalescing.WaitMs(ReplicationMode.Async, delayMs: 2, batchFull: false, oldestReadyMs: 1000, nowMs: 1002));
        Assert.Equal(0, BatchCoalescing.WaitMs(ReplicationMode.Async, delayMs: 2, batchFull: false, oldestReadyMs: 1000, nowMs: 5000));
    }

    [Fact]
    public void A_full_batch_goes_at_once() =>
        Assert.Equal(0, BatchCoalescing.WaitMs(ReplicationMode.Async, delayMs: 50, batchFull: true, oldestReadyMs: 1000, nowMs: 1000));

    [Fact]
    public void Sync_mode_never_waits_because_every_write_waits_for_the_standby() =>
        Assert.Equal(0, BatchCoalescing.WaitMs(ReplicationMode.Sync, delayMs: 50, batchFull: false, oldestReadyMs: 1000, nowMs: 1000));

    [Fact]
    public void A_delay_of_zero_ships_at_once() =>
        Assert.Equal(0, BatchCoalescing.WaitMs(ReplicationMode.Async, delayMs: 0, batchFull: false, oldestReadyMs: 1000, nowMs: 1000));
}
