using System.Diagnostics;
using System.Text.Json;
using HotStandby.Host.Cli;
using HotStandby.Host.Client;

namespace HotStandby.Host.Demo;

/// <summary>
/// <c>hotstandby bench-replication</c> (run by scripts/bench-replication.sh): real processes on loopback, 100-byte values.
/// Throughput and latency at 1, 16 and 64 clients in sync and async mode, async lag, kill -9 to the first acknowledged
/// write on the new primary, catch-up of a standby far behind, and the resident memory of nodes holding that many keys.
/// </summary>
public static class ReplicationBench
{
    private static readonly byte[] Value = Enumerable.Range(0, 100).Select(i => (byte)('a' + i % 26)).ToArray();
    private static readonly string Profile = Path.Combine(AppContext.BaseDirectory, "hocon", "fast-failover.conf");

    public static IReadOnlyList<string> ParseModes(string text)
    {
        var modes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return modes.Length > 0 && modes.All(m => m is "sync" or "async")
            ? modes : throw new UsageException($"--modes '{text}': give sync, async or both, comma-separated");
    }

    public static double ParseWarmUp(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 600
            ? s : throw new UsageException($"--warm-up '{text}': give seconds from 0 to 600");

    public static IReadOnlyList<int> ParseClients(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var counts = parts.Select(p => int.TryParse(p, out var n) && n is > 0 and <= 1024 ? n : 0).ToList();
        return counts.Count > 0 && counts.All(n => n > 0)
            ? counts : throw new UsageException($"--clients '{text}': give client counts from 1 to 1024, comma-separated");
    }

    /// <param name="warmUp">seconds of 16-client writes on each mode's fresh cluster before its points, reported apart</param>
    /// <param name="pointsOnly">only the listed points: no async point with the standby stopped</param>
    public static async Task<int> RunAsync(double seconds, double warmUp, int trials, int catchUpEntries, IReadOnlyList<string> modes,
        IReadOnlyList<int> clientCounts, bool pointsOnly = false)
    {
        Console.Out.WriteLine($"bench-replication: 100-byte values, {seconds:F0} s per point after {warmUp:F0} s of warm-up per mode, "
            + $"{Environment.ProcessorCount} cores; fsync = batch (group commit)");
        foreach (var mode in modes)
        {
            await using var cluster = StartCluster(mode, "hotstandby.failback.mode = off");
            var primary = await AwaitPrimary(cluster);
            if (warmUp > 0)
            {
                // A fresh .NET process runs its hot paths at 60-80 % of their final speed for its first ~15 s under load,
                // while the JIT recompiles them; the points measure the node as it runs once warm.
                var cold = await Throughput(cluster.HttpUrl(primary), 16, warmUp, null, new CpuMeter(cluster, primary));
                Console.Out.WriteLine($"{mode,-5} warm-up, 16 clients for {warmUp:F0} s on the fresh cluster (not a point): {cold.Ops,8:F0} acknowledged writes/s  p99 {cold.P99:F2} ms");
            }
            foreach (var clients in clientCounts)
            {
                var lag = new List<double>();
                var cpu = new CpuMeter(cluster, primary);
                var result = await Throughput(cluster.HttpUrl(primary), clients, seconds,
                    mode == "async" ? async () => { if (await LagMs(cluster, primary) is { } l) lock (lag) lag.Add(l); } : null, cpu);
                Print($"{mode,-5} clients {clients,2}", result, cpu, lag);
            }
            if (mode == "async" && !pointsOnly) await PrimaryAlone(cluster, primary, clientCounts.Contains(16) ? 16 : clientCounts.Max(), seconds);
            await StopAll(cluster);
        }
        if (trials > 0) await KillToFirstAck(trials);
        if (catchUpEntries > 0) await CatchUp(catchUpEntries);
        return 0;
    }

    /// <summary>
    /// The same async writes with the standby stopped: the primary's own ceiling (HTTP, log, fsync), which says how much
    /// of the gap to a peer replication accounts for and how much the write path alone does.
    /// </summary>
    private static async Task PrimaryAlone(LocalCluster cluster, string primary, int clients, double seconds)
    {
        var standby = primary == "a" ? "b" : "a";
        await cluster.Stop(standby, TimeSpan.FromSeconds(10));
        var cpu = new CpuMeter(cluster, primary);
        var result = await Throughput(cluster.HttpUrl(primary), clients, seconds, null, cpu);
        Print($"async clients {clients,2}, standby stopped (the primary's own ceiling)", result, cpu, []);
    }

    private static void Print(string label, Point result, CpuMeter cpu, List<double> lag)
    {
        Console.Out.WriteLine($"{label}: {result.Ops,8:F0} acknowledged writes/s  p50 {result.P50:F2} ms  p99 {result.P99:F2} ms  ({result.Count} writes, {result.Errors} errors)"
            + (lag.Count > 0 ? $"  lag p99 {Pct(lag, 0.99):F1} ms (max {lag.Max():F0})" : ""));
        Console.Out.WriteLine($"      CPU per acknowledged write: {cpu.PerWrite(result.Count)}");
        if (result.Errors > 0) Console.Out.WriteLine($"      errors: {result.ErrorTexts}");
    }

    /// <param name="ErrorTexts">what the non-200 answers said, most frequent first</param>
    private sealed record Point(double Ops, double P50, double P99, long Count, long Errors, string ErrorTexts);

    private static async Task<Point> Throughput(string url, int clients, double seconds, Func<Task>? sampler, CpuMeter cpu)
    {
        var latencies = new List<double>[clients];
        long errors = 0;
        var warmupEnd = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency; // JIT tiers and connections settle first
        var end = warmupEnd + (long)(seconds * Stopwatch.Frequency);
        var run = Guid.NewGuid().ToString("N")[..6];
        var cpuStarted = 0;
        var errorTexts = new Dictionary<string, int>();
        // One thread and one blocking connection per client, as in the Redis peer's wbench.c.
        var threads = Enumerable.Range(0, clients).Select(c => new Thread(() =>
        {
            using var client = new RawHttpWriter(url);
            var mine = latencies[c] = new List<double>(1 << 15);
            Span<char> key = stackalloc char[64];
            for (var n = 0; Stopwatch.GetTimestamp() < end; n++)
            {
                var started = Stopwatch.GetTimestamp();
                key.TryWrite($"{run}-{c}-{n}", out var keyLength);
                var status = client.Put(key[..keyLength], Value);
                if (started < warmupEnd) continue;
                if (Interlocked.Exchange(ref cpuStarted, 1) == 0) cpu.Start();
                if (status == 200) mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else
                {
                    Interlocked.Increment(ref errors);
                    lock (errorTexts) errorTexts[client.LastError] = errorTexts.GetValueOrDefault(client.LastError) + 1;
                }
            }
        }) { IsBackground = true, Name = $"bench-client-{c}" }).ToList();
        threads.ForEach(t => t.Start());
        var tasks = new List<Task> { Task.Run(() => threads.ForEach(t => t.Join())) };
        if (sampler is not null)
            tasks.Add(Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < end)
                {
                    if (Stopwatch.GetTimestamp() > warmupEnd) await sampler();
                    // 20 a second, 200 samples a point: enough for a p99, while a /status every 10 ms took a few % of the
                    // primary it was measuring (each is an Ask to the supervisor and a JSON document).
                    await Task.Delay(50);
                }
            }));
        await Task.WhenAll(tasks);
        cpu.Stop();
        var all = latencies.SelectMany(l => l).ToList();
        return new Point(all.Count / seconds, Pct(all, 0.50), Pct(all, 0.99), all.Count, errors,
            string.Join("; ", errorTexts.OrderByDescending(e => e.Value).Select(e => $"{e.Value} x {e.Key}")));
    }

    /// <summary>kill -9 of the primary while one client writes; time to the first write the new primary acknowledges.</summary>
    private static async Task KillToFirstAck(int trials)
    {
        await using var cluster = StartCluster("sync", "hotstandby.failback.mode = off");
        var samples = new List<double>();
        var urls = LocalCluster.Ids.Select(cluster.HttpUrl).ToList();
        for (var trial = 1; trial <= trials; trial++)
        {
            var primary = await AwaitPrimary(cluster, settled: true);
            var standbyUrl = cluster.HttpUrl(primary == "a" ? "b" : "a");
            using var client = new KvClient(urls, TimeSpan.FromSeconds(2));
            long killedAt = 0;
            var first = new TaskCompletionSource<double>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var writer = Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested && !first.Task.IsCompleted; n++)
                {
                    var r = await client.Put($"t{trial}-{n}", Value, TimeSpan.FromSeconds(30));
                    var k = Interlocked.Read(ref killedAt);
                    if (r.Acked && k != 0 && r.Node == standbyUrl) first.TrySetResult(Stopwatch.GetElapsedTime(k).TotalMilliseconds);
                }
            });
            await Task.Delay(300);
            Interlocked.Exchange(ref killedAt, Stopwatch.GetTimestamp());
            cluster.Kill(primary);
            var ms = await first.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await writer;
            samples.Add(ms);
            Console.Out.WriteLine($"kill trial {trial,2}: killed {primary}; first write acknowledged by the new primary after {ms:F0} ms");
            cluster.Start(primary);
        }
        Console.Out.WriteLine($"kill -9 -> first acknowledged write on the new primary (sync, fast profile, {trials} trials): p50 {Pct(samples, 0.5):F0} ms, p99 {Pct(samples, 0.99):F0} ms, max {samples.Max():F0} ms");
        await StopAll(cluster);
    }

    /// <summary>The standby is stopped while the primary takes <paramref name="entries"/> writes, then restarted.</summary>
    private static async Task CatchUp(int entries)
    {
        await using var cluster = StartCluster("async", "hotstandby.failback.mode = off");
        var primary = await AwaitPrimary(cluster, settled: true);
        var standby = primary == "a" ? "b" : "a";
        await cluster.Stop(standby, TimeSpan.FromSeconds(10));
        var filled = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            using var client = new KvClient([cluster.HttpUrl(primary)], TimeSpan.FromSeconds(10));
            int n;
            while ((n = Interlocked.Increment(ref next)) < entries)
                if (!(await client.Put($"key-{n:D8}", Value, TimeSpan.FromSeconds(30))).Acked) throw new InvalidOperationException($"write {n} failed");
        })));
        Console.Out.WriteLine($"wrote {entries} keys with the standby down in {Stopwatch.GetElapsedTime(filled).TotalSeconds:F1} s");
        await Task.Delay(200); // the last progress report reaches /status within a few housekeeping rounds
        var target = (await cluster.Status(primary))!.Value.GetProperty("lastLog").GetProperty("index").GetInt64();
        var started = Stopwatch.GetTimestamp();
        cluster.Start(standby);
        while (true)
        {
            var s = await cluster.Status(primary);
            if (s?.GetProperty("replication").GetProperty("standbyMatchIndex") is { ValueKind: JsonValueKind.Number } m && m.GetInt64() >= target) break;
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(10)) throw new TimeoutException("catch-up did not finish in 10 minutes");
            await Task.Delay(20);
        }
        var secs = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var viaSnapshot = File.ReadAllText(cluster.LogPath(standby)).Contains("installed snapshot");
        var bytes = (double)target * (Value.Length + 12 + 33); // value, key, record framing
        Console.Out.WriteLine($"catch-up of a standby {target} entries behind (its process start included; {(viaSnapshot ? "snapshot, then the log" : "from the log")}): {secs:F1} s = {target / secs:F0} entries/s, {bytes / secs / 1e6:F1} MB/s");
        foreach (var id in new[] { primary, standby })
        {
            var keys = (await cluster.Status(id))!.Value.GetProperty("data").GetProperty("keys").GetInt64();
            Console.Out.WriteLine($"resident memory of {id} ({(id == primary ? "primary" : "standby")}) holding {keys} keys: {Rss(cluster.Pid(id)!.Value) / 1048576.0:F0} MiB");
        }
        await StopAll(cluster);
    }

    /// <summary>Extra HOCON for every node (HS_BENCH_EXTRA), to try a setting without editing configs.</summary>
    private static readonly string ExtraConfig = Environment.GetEnvironmentVariable("HS_BENCH_EXTRA") ?? "";

    private static LocalCluster StartCluster(string mode, string extra)
    {
        extra += "\n" + ExtraConfig;
        var root = Path.Combine(Path.GetTempPath(), $"hotstandby-rbench-{mode}-{Guid.NewGuid():N}"[..40]);
        var cluster = new LocalCluster(root, HostCommand.Current(), File.Exists(Profile) ? Profile : null,
            $"hotstandby.replication.mode = {mode}\n{extra}");
        foreach (var id in LocalCluster.Ids) cluster.Start(id);
        return cluster;
    }

    private static async Task<string> AwaitPrimary(LocalCluster cluster, bool settled = true)
    {
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (await cluster.ServingPrimary() is { } p && (!settled || await Settled(cluster, p))) return p;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no primary with an in-sync standby within 60 s; logs in {cluster.Root}");
    }

    /// <summary>
    /// Every node answers and follows <paramref name="primary"/>, everyone hears everyone, and the primary's standby is
    /// eligible and in sync: the next kill measures a failover, not a node that is still starting or excused.
    /// </summary>
    private static async Task<bool> Settled(LocalCluster cluster, string primary)
    {
        foreach (var id in LocalCluster.Ids)
        {
            if (await cluster.Status(id) is not { } s) return false;
            if (id != primary && s.GetProperty("primaryId").GetString() != primary) return false;
            if (s.GetProperty("peers").EnumerateArray().Any(p => !p.GetProperty("reachable").GetBoolean())) return false;
            if (id != primary) continue;
            var r = s.GetProperty("replication");
            if (!r.GetProperty("inSync").GetBoolean() || r.GetProperty("standbyEligible").ValueKind != JsonValueKind.True) return false;
        }
        return true;
    }

    private static async Task<double?> LagMs(LocalCluster cluster, string primary) =>
        await cluster.Status(primary) is { } s && s.GetProperty("replication").GetProperty("lagMs") is { ValueKind: JsonValueKind.Number } l
            ? l.GetDouble() : null;

    private static async Task StopAll(LocalCluster cluster)
    {
        foreach (var id in new[] { "w", "b", "a" }) await cluster.Stop(id, TimeSpan.FromSeconds(10));
        try { Directory.Delete(cluster.Root, recursive: true); } catch (IOException) { }
    }

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:"));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    private static double Pct(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
