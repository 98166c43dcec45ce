using System.Collections.Concurrent;
using System.Text.Json;
using HotStandby.Chaos.Checking;
using HotStandby.Chaos.Faults;
using HotStandby.Chaos.Network;
using HotStandby.Chaos.Workload;

namespace HotStandby.Chaos;

/// <summary>
/// One chaos run: namespaces, three real nodes, a seeded fault schedule, writers, readers and a status sampler; then
/// every fault healed, the data directories read back and the history checked. Everything lands in the run directory.
/// </summary>
public sealed class ChaosRun(ChaosOptions options, Action<string> log)
{
    // The fast profile's failover timings, written into every node's config so the recovery bound below matches them.
    private const int AcceptablePauseMs = 250, ElectionTimeoutMs = 250, LeaseMs = 150;
    // After the last heal a node may have to start its process (a loaded 2-core machine: up to ~10 s) and then replace a
    // quarantined actor system (3 s); an election then takes at most acceptable-pause + election-timeout per round.
    private const int ProcessStartMs = 10_000, IncarnationRestartMs = 3_000, ElectionRounds = 4;
    public const long RecoveryBoundMs = ProcessStartMs + IncarnationRestartMs + ElectionRounds * (AcceptablePauseMs + ElectionTimeoutMs);

    public string Dir { get; private set; } = "";

    public async Task<CheckReport?> Execute(CancellationToken interrupted)
    {
        Dir = Path.GetFullPath(options.OutDir ?? Path.Combine("chaos-runs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-seed{options.Seed}"));
        Directory.CreateDirectory(Dir);
        using var faultLog = new StreamWriter(Path.Combine(Dir, "faults.log")) { AutoFlush = true };
        void Say(string line)
        {
            log(line);
            lock (faultLog) faultLog.WriteLine(line);
        }

        var setupNotes = new List<string>();
        using INetwork network = options.AllowNamespaces ? NamespaceNetwork.Create(options.Tag, setupNotes.Add)
            : new LoopbackNetwork("--no-netns given");
        var plan = FaultPlanner.Plan(options.Seed, (long)options.Duration.TotalMilliseconds, network.SupportsNetworkFaults);
        Say($"chaos: seed {options.Seed}, {options.Duration.TotalSeconds:0} s, {plan.Count} faults planned, {(options.SyncMode ? "sync" : "async")} mode, run directory {Dir}");
        Say($"chaos: replay with: scripts/chaos.sh --seconds {options.Duration.TotalSeconds:0} --seed {options.Seed}{(options.SyncMode ? "" : " --mode async")}{(network.SupportsNetworkFaults ? "" : " --no-netns")}");
        Say($"chaos: {network.Description}");
        foreach (var note in setupNotes) Say($"chaos: {note}");
        if (!network.SupportsNetworkFaults)
            Say("chaos: WARNING: partition, one-way partition, isolate, loss and rate-limit faults are skipped in this run");
        await File.WriteAllTextAsync(Path.Combine(Dir, "schedule.json"), JsonSerializer.Serialize(new { options.Seed, DurationMs = (long)options.Duration.TotalMilliseconds, network = network.Description, faults = plan }, Json), interrupted);

        var hostDir = AppContext.BaseDirectory;
        var extra = $$"""
            hotstandby {
              heartbeat.acceptable-pause = {{AcceptablePauseMs}}ms
              failover { lease = {{LeaseMs}}ms, election-timeout = {{ElectionTimeoutMs}}ms }
              failback.stable-after = 3s
              replication.mode = {{(options.SyncMode ? "sync" : "async")}}
            }
            """;
        using var cluster = new ChaosCluster(Dir, network, Path.Combine(hostDir, "hotstandby.dll"), Path.Combine(hostDir, "hocon", "fast-failover.conf"), extra);
        var urls = FaultPlanner.AllNodes.Select(cluster.HttpUrl).ToList();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = 64, ConnectTimeout = TimeSpan.FromMilliseconds(500) })
            { Timeout = TimeSpan.FromSeconds(1) };

        foreach (var id in FaultPlanner.AllNodes) cluster.Start(id);
        var clock = new RunClock();
        var sampler = new StatusSampler(urls, http, clock, TimeSpan.FromMilliseconds(100));
        using var stopSampler = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        var sampling = sampler.Run(stopSampler.Token);
        if (!await Until(() => sampler.ServingPrimary is not null, TimeSpan.FromSeconds(60), interrupted))
        {
            Say("chaos: the cluster did not elect a primary within 60 s of starting; see the node logs");
            return null;
        }
        var t0 = clock.NowMs;
        Say($"chaos: t={t0} ms {sampler.ServingPrimary} is primary; workload and faults start (fault times below are from the run's clock, the schedule's from this moment)");

        var history = new ConcurrentQueue<OpRecord>();
        var acked = new AckedKeys();
        using var stopClients = CancellationTokenSource.CreateLinkedTokenSource(interrupted);
        var deadline = TimeSpan.FromSeconds(5);
        var clients = Enumerable.Range(0, options.Writers)
            .Select(i => new Writer(i, urls, clock, history, acked, deadline, TimeSpan.FromMilliseconds(5)).Run(stopClients.Token))
            .Concat(Enumerable.Range(0, options.Readers)
                .Select(i => new Reader(100 + i, urls, http, clock, history, acked, sampler, TimeSpan.FromMilliseconds(20), options.Seed + i).Run(stopClients.Token)))
            .ToList();

        var applied = await RunSchedule(plan, t0, cluster, network, clock, Say, interrupted);

        // Heal everything, whatever the bookkeeping says, and restart anything down.
        network.HealAll();
        foreach (var id in FaultPlanner.AllNodes)
        {
            cluster.Resume(id);
            cluster.Start(id);
        }
        var lastHeal = clock.NowMs;
        Say($"chaos: t={lastHeal} ms all faults healed; waiting for a write to be acknowledged");
        await Until(() => acked.LatestStartMs >= lastHeal, TimeSpan.FromMilliseconds(RecoveryBoundMs * 2), interrupted);
        await Task.Delay(2_000, interrupted);
        stopClients.Cancel();
        await Task.WhenAll(clients);

        var converged = await Until(() => Converged(sampler), TimeSpan.FromSeconds(60), interrupted);
        var finalPrimary = sampler.ServingPrimary;
        Say(converged ? $"chaos: converged: {finalPrimary} primary, its standby holds its whole log" : $"chaos: WARNING: the data nodes did not converge within 60 s (primary {finalPrimary ?? "none"})");
        stopSampler.Cancel();
        await sampling;
        foreach (var id in FaultPlanner.AllNodes) cluster.Kill(id);

        var ops = history.ToList();
        var keys = ops.Where(o => o.Kind == OpKind.Write).Select(o => o.Key).Distinct().ToList();
        var data = FaultPlanner.DataNodes.ToDictionary(n => n, n => FinalData.Read(n, cluster.DataDir(n), keys, Say));
        var samples = sampler.Samples.ToList();
        await WriteLines(Path.Combine(Dir, "history.jsonl"), ops);
        await WriteLines(Path.Combine(Dir, "samples.jsonl"), samples);

        var report = HistoryChecker.Check(new CheckInput(ops, samples, applied, lastHeal, finalPrimary, data, RecoveryBoundMs, options.SyncMode));
        if (!converged)
            report = report with { Violations = [.. report.Violations, new Violation("no-convergence", "the standby did not hold the primary's whole log within 60 s of the workload's end")] };
        var text = $"seed {options.Seed}; {options.Duration.TotalSeconds:0} s; {network.Description}\n" + report.Render();
        await File.WriteAllTextAsync(Path.Combine(Dir, "report.txt"), text + string.Concat(report.Violations.Skip(40).Select(v => $"  VIOLATION {v.Kind}: {v.Detail}\n")), CancellationToken.None);
        log(text);
        if (report.Passed && !options.KeepData)
            foreach (var n in FaultPlanner.AllNodes) Directory.Delete(cluster.DataDir(n), recursive: true);
        return report;
    }

    private static bool Converged(StatusSampler sampler)
    {
        var a = sampler.Latest("a");
        var b = sampler.Latest("b");
        if (a is null || b is null || sampler.ServingPrimary is not { } p) return false;
        var (primary, standby) = p == "a" ? (a, b) : (b, a);
        return primary.CanServeWrites && standby.Role == "standby" && standby.Epoch == primary.Epoch
               && standby.LastLogIndex == primary.LastLogIndex && standby.LastLogEpoch == primary.LastLogEpoch
               && primary.CommitIndex == primary.LastLogIndex;
    }

    private static async Task<List<AppliedFault>> RunSchedule(IReadOnlyList<Fault> plan, long t0, ChaosCluster cluster, INetwork network,
        RunClock clock, Action<string> say, CancellationToken interrupted)
    {
        var events = plan.SelectMany(f => new[] { (At: t0 + f.AtMs, Heal: false, Fault: f), (At: t0 + f.HealAtMs, Heal: true, Fault: f) })
            .OrderBy(e => e.At).ThenBy(e => e.Heal ? 0 : 1).ToList();
        var appliedAt = new Dictionary<int, long>();
        var done = new List<AppliedFault>();
        foreach (var e in events)
        {
            var wait = e.At - clock.NowMs;
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), interrupted);
            var f = e.Fault;
            var now = clock.NowMs;
            if (!e.Heal)
            {
                Apply(f, cluster, network);
                appliedAt[f.Id] = now;
                say($"t={now,7} ms  fault #{f.Id}: {f.Describe()}");
            }
            else
            {
                Heal(f, cluster, network);
                done.Add(new AppliedFault(f, appliedAt[f.Id], now));
                say($"t={now,7} ms  heal  #{f.Id}: {CheckReport.Name(f.Kind)} {(f.Links.Count > 0 ? string.Join(",", f.Links) : f.Node)}");
            }
            foreach (var node in Affected(f)) cluster.Mark(node, $"{(e.Heal ? "heal" : "fault")} #{f.Id}: {f.Describe()}");
        }
        return done;
    }

    private static IEnumerable<string> Affected(Fault f) => f.Links.Count > 0 ? f.Links.SelectMany(l => new[] { l.From, l.To }).Distinct() : [f.Node];

    private static void Apply(Fault f, ChaosCluster cluster, INetwork network)
    {
        switch (f.Kind)
        {
            case FaultKind.Kill or FaultKind.WitnessDown: cluster.Kill(f.Node); break;
            case FaultKind.Pause: cluster.Pause(f.Node); break;
            default: network.Apply(f); break;
        }
    }

    private static void Heal(Fault f, ChaosCluster cluster, INetwork network)
    {
        switch (f.Kind)
        {
            case FaultKind.Kill or FaultKind.WitnessDown: cluster.Start(f.Node); break;
            case FaultKind.Pause: cluster.Resume(f.Node); break;
            default: network.Heal(f); break;
        }
    }

    private static async Task<bool> Until(Func<bool> condition, TimeSpan timeout, CancellationToken interrupted)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(50, interrupted);
        }
        return true;
    }

    private static async Task WriteLines<T>(string path, IEnumerable<T> items)
    {
        await using var w = new StreamWriter(path);
        foreach (var item in items) await w.WriteLineAsync(JsonSerializer.Serialize(item, Json));
    }

    private static readonly JsonSerializerOptions Json = new() { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}
