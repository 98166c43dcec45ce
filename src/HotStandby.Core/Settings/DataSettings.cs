using HotStandby.Core.Replication;

namespace HotStandby.Core.Settings;

public enum FsyncMode { Always, Batch }

/// <summary><c>hotstandby.replication.*</c> beyond the mode: how the primary ships entries and when sync gives up.</summary>
public sealed record ReplicationSettings(
    TimeSpan SyncTimeout,
    OnSyncTimeout OnSyncTimeout,
    TimeSpan WriteTimeout,
    int MaxBatchEntries,
    int MaxBatchBytes,
    int MaxInFlightBatches,
    int SnapshotChunkBytes,
    TimeSpan ResendAfter,
    TimeSpan AsyncBatchDelay)
{
    public static readonly ReplicationSettings Default = new(
        TimeSpan.FromSeconds(1), OnSyncTimeout.Degrade, TimeSpan.FromSeconds(5), 1024, 256 << 10, 8, 256 << 10, TimeSpan.FromSeconds(1),
        TimeSpan.FromMilliseconds(2));
}

/// <summary><c>hotstandby.storage.*</c>: fsync policy, segment size, snapshots.</summary>
public sealed record StorageSettings(FsyncMode Fsync, long SegmentBytes, long SnapshotEveryEntries, long MaxRetainedEntries)
{
    public static readonly StorageSettings Default = new(FsyncMode.Batch, 64L << 20, 100_000, 1_000_000);
}

/// <summary><c>hotstandby.kv.*</c>: what a client may store.</summary>
public sealed record KvLimits(int MaxKeyBytes, int MaxValueBytes)
{
    public static readonly KvLimits Default = new(1024, 1 << 20);
}
