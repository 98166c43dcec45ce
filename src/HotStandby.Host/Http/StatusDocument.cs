using HotStandby.Actors.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Host.Http;

/// <summary>The <c>GET /status</c> document (INTERFACE.md names), built from one status report.</summary>
public static class StatusDocument
{
    public static object Build(NodeStatusReport report, NodeSettings settings, int incarnation)
    {
        var core = report.Core;
        var now = report.NowMs;
        var healthById = report.Health.ToDictionary(h => h.NodeId, StringComparer.Ordinal);
        var lastEvent = report.Events.LastOrDefault();
        var (inSync, lagEntries) = Replication(core, now, settings);
        var store = report.Store;
        var r = store?.Replication;
        return new
        {
            nodeId = core.NodeId,
            role = core.Role.ToWire(),
            epoch = core.Epoch,
            primaryId = core.PrimaryId,
            canServeWrites = core.CanServeWrites,
            leaseRemainingMs = core.LeaseRemainingMs,
            commitIndex = store?.CommitIndex ?? core.CommitIndex,
            appliedIndex = store?.AppliedIndex ?? core.LastLog.Index,
            lastLog = new { epoch = core.LastLog.Epoch, index = core.LastLog.Index },
            replication = new
            {
                mode = settings.ReplicationMode == ReplicationMode.Sync ? "sync" : "async",
                inSync = r?.InSync ?? inSync,
                lagEntries = r?.LagEntries ?? lagEntries,
                lagMs = r?.LagMs ?? (lagEntries == 0 ? 0 : (long?)null),
                onSyncTimeout = settings.Replication.OnSyncTimeout.ToString().ToLowerInvariant(),
                standby = r?.Standby,
                standbyEligible = r?.StandbyEligible,
                standbyMatchIndex = r?.StandbyMatchIndex,
                notEligible = core.NotEligible,
                replicatedIndex = store?.ReplicatedIndex,
                lastRefusal = r?.LastRefusal,
            },
            data = store is null ? null : new
            {
                keys = r!.Keys,
                snapshot = new { epoch = r.Snapshot.Epoch, index = r.Snapshot.Index },
                divergedFiles = r.DivergedFiles,
                lastDivergence = r.LastDivergence,
            },
            failover = new { mode = settings.FailoverMode switch { FailoverMode.TwoNode => "two-node", var m => m.ToString().ToLowerInvariant() } },
            failback = new { mode = settings.FailbackMode.ToString().ToLowerInvariant(), pending = core.FailbackPending },
            switchoverTarget = core.SwitchoverTarget,
            address = report.Address,
            incarnation,
            promotions = report.Promotions,
            peers = core.Peers.Select(p => PeerDocument(p, healthById.GetValueOrDefault(p.NodeId), now))
                .Concat(report.Health.Where(h => core.Peers.All(p => p.NodeId != h.NodeId)).Select(UnknownPeer))
                .ToList(),
            lastRoleChange = lastEvent is null ? null : new
            {
                at = lastEvent.At,
                from = lastEvent.Change.From.ToWire(),
                to = lastEvent.Change.To.ToWire(),
                epoch = lastEvent.Change.Epoch,
                reason = lastEvent.Change.Reason,
            },
        };
    }

    private static object PeerDocument(PeerView p, PeerHealth? health, long now) => new
    {
        nodeId = p.NodeId,
        role = p.Role.ToWire(),
        epoch = p.Epoch,
        reachable = health?.Reachability == Reachability.Reachable,
        reachability = (health?.Reachability ?? Reachability.Unknown).ToWire(),
        lastHeartbeatMsAgo = now - p.LastHeardMs,
        phi = health?.Phi,
        rttMs = health?.RttMs,
        deathWatch = health?.Watched ?? false,
        logIndex = p.LastLog.Index,
        preferredPrimary = p.PreferredPrimary,
        http = p.HttpUrl,
        address = health?.Address,
    };

    /// <summary>A configured peer never heard from: listed so that an operator sees it is missing.</summary>
    private static object UnknownPeer(PeerHealth h) => new
    {
        nodeId = (string?)null,
        role = (string?)null,
        epoch = (long?)null,
        reachable = false,
        reachability = h.Reachability.ToWire(),
        lastHeartbeatMsAgo = (long?)null,
        phi = h.Phi,
        rttMs = h.RttMs,
        deathWatch = h.Watched,
        logIndex = (long?)null,
        preferredPrimary = (bool?)null,
        http = (string?)null,
        address = h.Address,
    };

    /// <summary>Lag in entries between this node and its replication partner, as far as heartbeats tell.</summary>
    private static (bool InSync, long? LagEntries) Replication(CoreStatus core, long now, NodeSettings settings)
    {
        var fresh = core.Peers.Where(p => p.IsDataNode && now - p.LastHeardMs < settings.AcceptablePause.TotalMilliseconds).ToList();
        if (core.Role == NodeRole.Witness) return (true, null);
        if (core.Role is NodeRole.Primary or NodeRole.Demoting)
        {
            if (fresh.Count == 0) return (false, null);
            var lag = fresh.Max(p => Math.Max(0, core.LastLog.Index - p.LastLog.Index));
            return (lag == 0, lag);
        }
        var primary = fresh.FirstOrDefault(p => p.NodeId == core.PrimaryId);
        if (primary is null) return (false, null);
        var behind = Math.Max(0, primary.LastLog.Index - core.LastLog.Index);
        return (behind == 0, behind);
    }
}
