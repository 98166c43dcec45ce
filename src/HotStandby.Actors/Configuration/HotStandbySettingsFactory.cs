using Akka.Configuration;
using HotStandby.Core.Replication;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Actors.Configuration;

/// <summary>Reads <c>hotstandby.*</c> once into a validated <see cref="NodeSettings"/>; actors never read raw config.</summary>
public static class HotStandbySettingsFactory
{
    /// <summary>The embedded reference.conf: every key with its default and documentation.</summary>
    public static Config Reference { get; } = LoadReference();

    private static Config LoadReference()
    {
        using var stream = typeof(HotStandbySettingsFactory).Assembly.GetManifestResourceStream("HotStandby.Actors.reference.conf")
            ?? throw new InvalidOperationException("embedded reference.conf is missing");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    /// <summary>Builds and validates the settings; throws <see cref="SettingsException"/> naming the first bad key.</summary>
    public static NodeSettings Create(Config config)
    {
        var c = config.WithFallback(Reference);
        var settings = new NodeSettings(
            NodeId: Str(c, "hotstandby.node-id"),
            IsWitness: Enum<bool>(c, "hotstandby.role", new() { ["data"] = false, ["witness"] = true }),
            PreferredPrimary: Bool(c, "hotstandby.preferred-primary"),
            Peers: Peers(c, "hotstandby.peers"),
            DataDir: Str(c, "hotstandby.data-dir"),
            HttpHostname: Str(c, "hotstandby.http.hostname"),
            HttpPort: Int(c, "hotstandby.http.port"),
            HeartbeatInterval: Duration(c, "hotstandby.heartbeat.interval"),
            AcceptablePause: Duration(c, "hotstandby.heartbeat.acceptable-pause"),
            PhiThreshold: Double(c, "hotstandby.heartbeat.phi-threshold"),
            SuspectPhi: Double(c, "hotstandby.heartbeat.suspect-phi"),
            FailoverMode: Enum<FailoverMode>(c, "hotstandby.failover.mode", new()
            {
                ["witness"] = FailoverMode.Witness, ["two-node"] = FailoverMode.TwoNode, ["off"] = FailoverMode.Off,
            }),
            Lease: Duration(c, "hotstandby.failover.lease"),
            ElectionTimeout: Duration(c, "hotstandby.failover.election-timeout"),
            FailbackMode: Enum<FailbackMode>(c, "hotstandby.failback.mode", new()
            {
                ["auto"] = FailbackMode.Auto, ["manual"] = FailbackMode.Manual, ["off"] = FailbackMode.Off,
            }),
            StableAfter: Duration(c, "hotstandby.failback.stable-after"),
            SwitchoverTimeout: Duration(c, "hotstandby.switchover.timeout"),
            ShutdownHandoverTimeout: Duration(c, "hotstandby.shutdown.handover-timeout"),
            ReplicationMode: Enum<ReplicationMode>(c, "hotstandby.replication.mode", new()
            {
                ["sync"] = ReplicationMode.Sync, ["async"] = ReplicationMode.Async,
            }),
            Hooks: new HookSettings(
                OptionalStr(c, "hotstandby.hooks.on-promote"),
                OptionalStr(c, "hotstandby.hooks.on-demote"),
                OptionalStr(c, "hotstandby.hooks.on-fault"),
                Duration(c, "hotstandby.hooks.timeout")))
        {
            Replication = new ReplicationSettings(
                SyncTimeout: Duration(c, "hotstandby.replication.sync-timeout"),
                OnSyncTimeout: Enum<OnSyncTimeout>(c, "hotstandby.replication.on-sync-timeout", new()
                {
                    ["block"] = OnSyncTimeout.Block, ["degrade"] = OnSyncTimeout.Degrade,
                }),
                WriteTimeout: Duration(c, "hotstandby.replication.write-timeout"),
                MaxBatchEntries: Int(c, "hotstandby.replication.max-batch-entries"),
                MaxBatchBytes: Bytes(c, "hotstandby.replication.max-batch-bytes"),
                MaxInFlightBatches: Int(c, "hotstandby.replication.max-in-flight-batches"),
                SnapshotChunkBytes: Bytes(c, "hotstandby.replication.snapshot-chunk-bytes"),
                ResendAfter: Duration(c, "hotstandby.replication.resend-after"),
                AsyncBatchDelay: Duration(c, "hotstandby.replication.async-batch-delay")),
            Storage = new StorageSettings(
                Fsync: Enum<FsyncMode>(c, "hotstandby.storage.fsync", new() { ["always"] = FsyncMode.Always, ["batch"] = FsyncMode.Batch }),
                SegmentBytes: Bytes(c, "hotstandby.storage.segment-bytes"),
                SnapshotEveryEntries: Long(c, "hotstandby.storage.snapshot-every-entries"),
                MaxRetainedEntries: Long(c, "hotstandby.storage.max-retained-entries")),
            Kv = new KvLimits(Bytes(c, "hotstandby.kv.max-key-bytes"), Bytes(c, "hotstandby.kv.max-value-bytes")),
            HttpDataLoop = Bool(c, "hotstandby.http.data-loop"),
        };

        CheckFrameSize(c, settings);
        var errors = SettingsValidator.Validate(settings);
        if (errors.Count > 0) throw new SettingsException(errors[0].Key, errors[0].Problem);
        return settings;
    }

    /// <summary>What a replication message carries besides its batch or chunk: envelope, key, actor paths.</summary>
    public const int ReplicationFraming = 64 << 10;

    /// <summary>Akka drops (with only a log line) any remote message larger than its frame: a batch must fit.</summary>
    private static void CheckFrameSize(Config c, NodeSettings s)
    {
        const string frameKey = "akka.remote.dot-netty.tcp.maximum-frame-size";
        if (!c.HasPath(frameKey)) return;
        var frame = Read(c, frameKey, () => c.GetByteSize(frameKey) ?? 128000);
        var largest = Math.Max(Math.Max(s.Replication.MaxBatchBytes, s.Replication.SnapshotChunkBytes), s.Kv.MaxValueBytes + s.Kv.MaxKeyBytes);
        if (largest + ReplicationFraming > frame)
            throw new SettingsException(frameKey, $"{frame} bytes cannot carry a replication message of up to {largest + ReplicationFraming} bytes " +
                "(the largest of replication.max-batch-bytes, replication.snapshot-chunk-bytes and one kv value, plus 64 KiB); raise it");
    }

    private static T Read<T>(Config c, string key, Func<T> read)
    {
        if (!c.HasPath(key)) throw new SettingsException(key, "is missing");
        try
        {
            return read();
        }
        catch (SettingsException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new SettingsException(key, $"'{Raw(c, key)}' cannot be read ({e.Message.Split('\n')[0].Trim()})");
        }
    }

    private static string Raw(Config c, string key)
    {
        try { return c.GetValue(key)?.ToString() ?? ""; }
        catch (Exception) { return "?"; }
    }

    private static string Str(Config c, string key) => Read(c, key, () => c.GetString(key) ?? "");

    private static string? OptionalStr(Config c, string key)
    {
        var value = c.HasPath(key) ? Str(c, key) : "";
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    private static int Int(Config c, string key) => Read(c, key, () => c.GetInt(key));

    private static long Long(Config c, string key) => Read(c, key, () => c.GetLong(key));

    /// <summary>A size: a plain number of bytes or HOCON's size units (64KiB, 1MiB, …).</summary>
    private static int Bytes(Config c, string key) => Read(c, key, () =>
    {
        var value = c.GetByteSize(key) ?? throw new SettingsException(key, "is empty; give a size such as 1MiB");
        return value is > 0 and <= int.MaxValue ? (int)value : throw new SettingsException(key, $"'{Raw(c, key)}' is not a size between 1 byte and 2 GiB");
    });

    private static double Double(Config c, string key) => Read(c, key, () => c.GetDouble(key));

    private static bool Bool(Config c, string key) => Read(c, key, () =>
        Raw(c, key).Trim().ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            var other => throw new SettingsException(key, $"'{other}' is not on/off"),
        });

    private static T Enum<T>(Config c, string key, Dictionary<string, T> names)
    {
        var value = Str(c, key).Trim();
        return names.TryGetValue(value, out var result)
            ? result
            : throw new SettingsException(key, $"'{value}' is not one of {string.Join(", ", names.Keys)}");
    }

    private static TimeSpan Duration(Config c, string key) => Read(c, key, () =>
    {
        var raw = Raw(c, key).Trim();
        if (raw.StartsWith('-'))
            throw new SettingsException(key, $"'{raw}' is negative; a duration must be positive");
        var value = c.GetTimeSpan(key, null, allowInfinite: false);
        return value >= TimeSpan.Zero ? value : throw new SettingsException(key, $"'{raw}' is negative; a duration must be positive");
    });

    private static IReadOnlyList<PeerSettings> Peers(Config c, string key) => Read(c, key, () =>
    {
        var peers = new List<PeerSettings>();
        foreach (var item in c.GetValue(key).GetArray())
        {
            if (item.IsString())
            {
                peers.Add(new PeerSettings(item.GetString().Trim(), null));
            }
            else if (item.IsObject())
            {
                var obj = item.GetObject();
                var address = obj.GetKey("address")?.GetString()
                    ?? throw new SettingsException(key, "a peer object needs an 'address'");
                var id = obj.GetKey("node-id")?.GetString();
                peers.Add(new PeerSettings(address.Trim(), string.IsNullOrWhiteSpace(id) ? null : id.Trim()));
            }
            else
            {
                throw new SettingsException(key, $"'{item}' is neither an address string nor {{ node-id, address }}");
            }
        }
        return (IReadOnlyList<PeerSettings>)peers;
    });
}
