using System.Globalization;
using System.Text;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Roles;

namespace HotStandby.Host.Http;

/// <summary><c>GET /metrics</c> in the Prometheus text format.</summary>
public static class MetricsDocument
{
    public static string Build(NodeStatusReport report, int incarnation)
    {
        var core = report.Core;
        var sb = new StringBuilder();
        void Metric(string name, string help, string type, IEnumerable<(string Labels, double Value)> samples)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in samples)
                sb.Append(name).Append(labels).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var node = $"node=\"{core.NodeId}\"";
        Metric("hotstandby_role", "1 for the role this node holds", "gauge",
            Enum.GetValues<NodeRole>().Select(r => ($"{{{node},role=\"{r.ToWire()}\"}}", r == core.Role ? 1.0 : 0.0)));
        Metric("hotstandby_epoch", "current epoch", "gauge", [($"{{{node}}}", core.Epoch)]);
        Metric("hotstandby_can_serve_writes", "1 while this node may acknowledge writes (primary with a valid lease)", "gauge",
            [($"{{{node}}}", core.CanServeWrites ? 1 : 0)]);
        Metric("hotstandby_lease_remaining_ms", "time left on the primary's lease", "gauge", [($"{{{node}}}", core.LeaseRemainingMs)]);
        Metric("hotstandby_commit_index", "commit index", "gauge", [($"{{{node}}}", core.CommitIndex)]);
        Metric("hotstandby_promotions_total", "times this node became primary since the process started", "counter",
            [($"{{{node}}}", report.Promotions)]);
        Metric("hotstandby_incarnations", "actor systems this process has run (more than 1 after quarantine recovery)", "gauge",
            [($"{{{node}}}", incarnation)]);
        Metric("hotstandby_peer_reachable", "1 when the peer is reachable by heartbeat and DeathWatch", "gauge",
            report.Health.Select(h => ($"{{{node},peer=\"{h.NodeId}\"}}", h.Reachability == Reachability.Reachable ? 1.0 : 0.0)));
        Metric("hotstandby_peer_phi", "phi-accrual suspicion of the peer", "gauge",
            report.Health.Select(h => ($"{{{node},peer=\"{h.NodeId}\"}}", h.Phi)));
        Metric("hotstandby_heartbeat_rtt_ms", "last heartbeat round trip to the peer", "gauge",
            report.Health.Where(h => h.RttMs.HasValue).Select(h => ($"{{{node},peer=\"{h.NodeId}\"}}", h.RttMs!.Value)));
        Metric("hotstandby_replication_lag_entries", "entries the peer's log is behind this node's", "gauge",
            core.Peers.Where(p => p.IsDataNode).Select(p => ($"{{{node},peer=\"{p.NodeId}\"}}", (double)Math.Max(0, core.LastLog.Index - p.LastLog.Index))));
        if (report.Store is { } store)
        {
            var r = store.Replication;
            Metric("hotstandby_last_log_index", "index of the last entry in this node's log", "gauge", [($"{{{node}}}", store.LastLog.Index)]);
            Metric("hotstandby_applied_index", "index of the last entry applied to the key-value state", "gauge", [($"{{{node}}}", store.AppliedIndex)]);
            Metric("hotstandby_keys", "keys in the applied state", "gauge", [($"{{{node}}}", r.Keys)]);
            Metric("hotstandby_writes_total", "client writes this node acknowledged as primary since the process started", "counter",
                [($"{{{node}}}", r.WritesAcknowledged)]);
            Metric("hotstandby_replication_in_sync", "1 while the standby confirms writes within sync-timeout (primary)", "gauge",
                [($"{{{node}}}", r.InSync ? 1 : 0)]);
            if (r.LagMs is { } lagMs)
                Metric("hotstandby_replication_lag_ms", "age of the oldest entry the standby has not confirmed (primary)", "gauge", [($"{{{node}}}", lagMs)]);
            if (r.StandbyEligible is { } eligible)
                Metric("hotstandby_standby_eligible", "1 while the standby may be promoted (0 after sync degraded)", "gauge",
                    [($"{{{node},standby=\"{r.Standby}\"}}", eligible ? 1 : 0)]);
            Metric("hotstandby_diverged_files", "files under diverged/ (entries a deposed primary had to drop)", "gauge",
                [($"{{{node}}}", r.DivergedFiles.Count)]);
        }
        RuntimeMetrics(Metric, node);
        return sb.ToString();
    }

    /// <summary>The process's garbage collector: its pauses stall heartbeats and writes alike, so an operator sees them here.</summary>
    private static void RuntimeMetrics(Action<string, string, string, IEnumerable<(string, double)>> metric, string node)
    {
        metric("hotstandby_gc_collections_total", "garbage collections since the process started, by generation", "counter",
            Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => ($"{{{node},generation=\"{g}\"}}", (double)GC.CollectionCount(g))));
        metric("hotstandby_gc_pause_seconds_total", "time the runtime paused all threads for garbage collection", "counter",
            [($"{{{node}}}", GC.GetTotalPauseDuration().TotalSeconds)]);
        metric("hotstandby_gc_heap_bytes", "managed heap size after the last collection", "gauge",
            [($"{{{node}}}", GC.GetGCMemoryInfo().HeapSizeBytes)]);
        metric("hotstandby_allocated_bytes_total", "bytes allocated on the managed heap since the process started", "counter",
            [($"{{{node}}}", GC.GetTotalAllocatedBytes())]);
        metric("hotstandby_threadpool_completed_items_total", "work items the .NET thread pool ran (Akka actors, timers, remoting)", "counter",
            [($"{{{node}}}", ThreadPool.CompletedWorkItemCount)]);
        metric("hotstandby_threadpool_threads", "threads in the .NET thread pool", "gauge", [($"{{{node}}}", ThreadPool.ThreadCount)]);
        if (Node.GcPauseWatch.OfProcess is not { } watch) return;
        metric("hotstandby_gc_pause_max_ms", "the longest garbage-collection pause seen since the node started", "gauge",
            [($"{{{node}}}", Math.Round(watch.LongestPauseMs, 3))]);
        metric("hotstandby_gc_long_pauses_total", "garbage-collection pauses of a third of the lease or more (each logged)", "counter",
            [($"{{{node}}}", watch.LongPauses)]);
    }
}
