using System.Text.RegularExpressions;
using HotStandby.Core.Roles;

namespace HotStandby.Core.Settings;

/// <summary>One thing wrong with the settings: the HOCON key and what is wrong with its value.</summary>
public sealed record SettingsError(string Key, string Problem)
{
    public override string ToString() => $"{Key}: {Problem}";
}

/// <summary>Field and cross-field rules. Returns every problem, first one first; an empty list means valid.</summary>
public static partial class SettingsValidator
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NodeIdPattern();

    [GeneratedRegex(@"^akka\.tcp://hotstandby@[^:/\s]+:\d{1,5}$")]
    private static partial Regex AddressPattern();

    public static IReadOnlyList<SettingsError> Validate(NodeSettings s)
    {
        var errors = new List<SettingsError>();
        void Fail(string key, string problem) => errors.Add(new SettingsError(key, problem));

        if (!NodeIdPattern().IsMatch(s.NodeId))
            Fail("hotstandby.node-id", $"'{s.NodeId}' is not a node id (letters, digits, '.', '_' or '-', at most 63)");
        if (s.IsWitness && s.PreferredPrimary)
            Fail("hotstandby.preferred-primary", "a witness holds no data and cannot be the preferred primary");
        if (string.IsNullOrWhiteSpace(s.DataDir))
            Fail("hotstandby.data-dir", "must name a directory");
        if (s.HttpPort is < 0 or > 65535)
            Fail("hotstandby.http.port", $"{s.HttpPort} is not a TCP port (0-65535)");

        ValidatePeers(s, Fail);
        ValidateDurations(s, Fail);
        ValidateTiming(s, Fail);
        ValidateData(s, Fail);
        return errors;
    }

    private static void ValidateData(NodeSettings s, Action<string, string> fail)
    {
        var r = s.Replication;
        if (r.SyncTimeout <= TimeSpan.Zero) fail("hotstandby.replication.sync-timeout", "must be positive");
        if (r.WriteTimeout < r.SyncTimeout)
            fail("hotstandby.replication.write-timeout", $"{r.WriteTimeout.TotalMilliseconds} ms is shorter than replication.sync-timeout ({r.SyncTimeout.TotalMilliseconds} ms)");
        if (r.MaxBatchEntries < 1) fail("hotstandby.replication.max-batch-entries", $"{r.MaxBatchEntries} must be at least 1");
        if (r.MaxInFlightBatches < 1) fail("hotstandby.replication.max-in-flight-batches", $"{r.MaxInFlightBatches} must be at least 1");
        if (r.ResendAfter <= TimeSpan.Zero) fail("hotstandby.replication.resend-after", "must be positive");
        if (r.AsyncBatchDelay < TimeSpan.Zero || r.AsyncBatchDelay >= r.SyncTimeout)
            fail("hotstandby.replication.async-batch-delay", $"{r.AsyncBatchDelay.TotalMilliseconds} ms must be from 0 to below replication.sync-timeout ({r.SyncTimeout.TotalMilliseconds} ms)");
        if (s.Storage.SegmentBytes < 4096) fail("hotstandby.storage.segment-bytes", $"{s.Storage.SegmentBytes} is below 4096 bytes");
        if (s.Storage.SnapshotEveryEntries < 1) fail("hotstandby.storage.snapshot-every-entries", "must be at least 1");
        if (s.Storage.MaxRetainedEntries < 1) fail("hotstandby.storage.max-retained-entries", "must be at least 1");
        if (s.Kv.MaxKeyBytes > 65_536) fail("hotstandby.kv.max-key-bytes", $"{s.Kv.MaxKeyBytes} is above 64 KiB");
        if (s.Kv.MaxValueBytes > 32 << 20) fail("hotstandby.kv.max-value-bytes", $"{s.Kv.MaxValueBytes} is above 32 MiB");
    }

    private static void ValidatePeers(NodeSettings s, Action<string, string> fail)
    {
        const string key = "hotstandby.peers";
        if (s.Peers.Count == 0)
            fail(key, "at least one peer is needed (the other data node, and the witness in witness mode)");
        var addresses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ids = new HashSet<string>(StringComparer.Ordinal) { s.NodeId };
        foreach (var peer in s.Peers)
        {
            if (!AddressPattern().IsMatch(peer.Address))
                fail(key, $"'{peer.Address}' is not an address of the form akka.tcp://hotstandby@HOST:PORT");
            else if (!addresses.Add(peer.Address))
                fail(key, $"'{peer.Address}' is listed twice");
            if (peer.NodeId is { } id && !ids.Add(id))
                fail(key, id == s.NodeId
                    ? $"duplicate node id '{id}': a peer has this node's own id"
                    : $"duplicate node id '{id}'");
        }
        if (s.FailoverMode == FailoverMode.Witness && s.Peers.Count < 2)
            fail("hotstandby.failover.mode",
                "'witness' needs two peers (the other data node and the witness) so that a majority exists; use 'two-node' for a pair");
    }

    private static void ValidateDurations(NodeSettings s, Action<string, string> fail)
    {
        void Positive(string key, TimeSpan value)
        {
            if (value <= TimeSpan.Zero)
                fail(key, $"{value.TotalMilliseconds} ms must be a positive duration");
        }
        Positive("hotstandby.heartbeat.interval", s.HeartbeatInterval);
        Positive("hotstandby.heartbeat.acceptable-pause", s.AcceptablePause);
        Positive("hotstandby.failover.lease", s.Lease);
        Positive("hotstandby.failover.election-timeout", s.ElectionTimeout);
        Positive("hotstandby.failback.stable-after", s.StableAfter);
        Positive("hotstandby.switchover.timeout", s.SwitchoverTimeout);
        Positive("hotstandby.shutdown.handover-timeout", s.ShutdownHandoverTimeout);
        Positive("hotstandby.hooks.timeout", s.Hooks.Timeout);
        if (s.PhiThreshold <= 0)
            fail("hotstandby.heartbeat.phi-threshold", $"{s.PhiThreshold} must be positive");
        if (s.SuspectPhi <= 0 || s.SuspectPhi >= s.PhiThreshold)
            fail("hotstandby.heartbeat.suspect-phi", $"{s.SuspectPhi} must be positive and below phi-threshold ({s.PhiThreshold})");
    }

    private static void ValidateTiming(NodeSettings s, Action<string, string> fail)
    {
        if (s.HeartbeatInterval <= TimeSpan.Zero || s.Lease <= TimeSpan.Zero || s.AcceptablePause <= TimeSpan.Zero)
            return; // already reported; the comparisons below would only repeat it
        // Guarantee 2: the old primary must stop before anyone may promote; 10 % margin covers clock-rate drift.
        if (s.Lease.TotalMilliseconds > s.AcceptablePause.TotalMilliseconds * 0.9)
            fail("hotstandby.failover.lease",
                $"{s.Lease.TotalMilliseconds} ms must be at most 90 % of heartbeat.acceptable-pause ({s.AcceptablePause.TotalMilliseconds} ms), " +
                "so that a primary's lease always ends before a standby may promote");
        if (s.Lease <= s.HeartbeatInterval)
            fail("hotstandby.failover.lease",
                $"{s.Lease.TotalMilliseconds} ms must be longer than heartbeat.interval ({s.HeartbeatInterval.TotalMilliseconds} ms), or the lease lapses between heartbeats");
        if (s.AcceptablePause < s.HeartbeatInterval * 2)
            fail("hotstandby.heartbeat.acceptable-pause",
                $"{s.AcceptablePause.TotalMilliseconds} ms must be at least twice heartbeat.interval ({s.HeartbeatInterval.TotalMilliseconds} ms)");
    }
}
