using System.Runtime;
using HotStandby.Actors.Configuration;
using HotStandby.Core.Settings;

namespace HotStandby.Host.Node;

/// <summary>
/// The garbage collector's settings as the runtime applied them, for the start-up log, and whether replication's
/// largest messages (a catch-up batch, a snapshot chunk, each copied 3-4 times on its way through Akka) start in
/// generation 0. On the large-object heap that garbage is reclaimed only by full collections: a standby catching up
/// 1M keys ran ~330 of them, and the primary stayed 270-470 MiB larger afterwards.
/// </summary>
public static class GcSettings
{
    /// <summary>What .NET uses when nothing sets <c>System.GC.LOHThreshold</c>.</summary>
    public const long DefaultLargeObjectThreshold = 85_000;

    public static long LargeObjectThreshold =>
        GC.GetConfigurationVariables().TryGetValue("LOHThreshold", out var v) && v is long n && n > 0 ? n : DefaultLargeObjectThreshold;

    /// <summary>The largest replication message these settings make: a batch or a snapshot chunk, with its framing.</summary>
    public static long LargestReplicationMessage(NodeSettings s) =>
        Math.Max(s.Replication.MaxBatchBytes, s.Replication.SnapshotChunkBytes) + (long)HotStandbySettingsFactory.ReplicationFraming;

    /// <summary>One start-up line; <paramref name="warning"/> when catch-up messages would land on the large-object heap.</summary>
    public static string Describe(NodeSettings s, out string? warning)
    {
        var threshold = LargeObjectThreshold;
        var largest = LargestReplicationMessage(s);
        warning = largest < threshold ? null
            : $"replication messages of up to {largest} bytes (replication.max-batch-bytes or snapshot-chunk-bytes, plus framing) " +
              $"reach the large-object heap (threshold {threshold} bytes): a catch-up's garbage then waits for full collections. " +
              "Lower them, or raise System.GC.LOHThreshold in hotstandby.runtimeconfig.json above it (or DOTNET_GCLOHThreshold, " +
              "whose value the runtime reads as hexadecimal)";
        return $"garbage collector: {(GCSettings.IsServerGC ? "server" : "workstation")}, " +
               $"{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}, large-object threshold {threshold} bytes " +
               $"(largest replication message {largest} bytes)";
    }
}
