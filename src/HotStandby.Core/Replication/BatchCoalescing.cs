using HotStandby.Core.Settings;

namespace HotStandby.Core.Replication;

/// <summary>
/// When the primary ships what is ready. In async mode a client's answer does not wait for the standby, so new entries
/// may wait up to <c>replication.async-batch-delay</c> to travel together: one message, one standby fsync and one ack
/// per batch are what replication costs both nodes per write. In sync mode every write waits for the standby, so
/// nothing waits.
/// </summary>
public static class BatchCoalescing
{
    /// <returns>0 to ship now, else how many milliseconds the oldest ready entry may still wait</returns>
    public static long WaitMs(ReplicationMode mode, long delayMs, bool batchFull, long oldestReadyMs, long nowMs) =>
        mode != ReplicationMode.Async || delayMs <= 0 || batchFull ? 0 : Math.Max(0, oldestReadyMs + delayMs - nowMs);
}
