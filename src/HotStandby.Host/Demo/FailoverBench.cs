using System.Diagnostics;

namespace HotStandby.Host.Demo;

/// <summary>
/// kill -9 of the primary, repeated: time from the kill to the standby's /status saying <c>primary</c>. Failback is off,
/// so the roles alternate and every trial kills whichever node is primary; the killed node is restarted between trials.
/// </summary>
public static class FailoverBench
{
    public static async Task<int> RunAsync(string profile, int trials)
    {
        string? profileConf = profile switch
        {
            "fast" => Path.Combine(AppContext.BaseDirectory, "hocon", "fast-failover.conf"),
            "default" => null,
            _ => throw new Cli.UsageException($"--profile: '{profile}' is not fast or default"),
        };
        var root = Path.Combine(Path.GetTempPath(), $"hotstandby-bench-{profile}-{Guid.NewGuid():N}"[..40]);
        await using var cluster = new LocalCluster(root, HostCommand.Current(), profileConf, "hotstandby.failback.mode = off");
        foreach (var id in LocalCluster.Ids) cluster.Start(id);
        var samples = new List<double>();
        var served = new List<double>();
        for (var trial = 1; trial <= trials; trial++)
        {
            var primary = await WaitFor(async () => await cluster.ServingPrimary() is { } p && await Settled(cluster, p) ? p : null, TimeSpan.FromSeconds(60));
            if (primary is null)
            {
                Console.Error.WriteLine($"trial {trial}: no settled primary; logs in {root}");
                return 1;
            }
            var standby = primary == "a" ? "b" : "a";
            var killed = Stopwatch.GetTimestamp();
            cluster.Kill(primary);
            double? primaryMs = null, servingMs = null;
            var deadline = killed + 30 * Stopwatch.Frequency;
            while (Stopwatch.GetTimestamp() < deadline && servingMs is null)
            {
                if (await cluster.Status(standby) is { } s && s.GetProperty("role").GetString() == "primary")
                {
                    primaryMs ??= Stopwatch.GetElapsedTime(killed).TotalMilliseconds;
                    if (s.GetProperty("canServeWrites").GetBoolean()) servingMs = Stopwatch.GetElapsedTime(killed).TotalMilliseconds;
                }
                else
                {
                    await Task.Delay(2);
                }
            }
            if (primaryMs is null || servingMs is null)
            {
                Console.Error.WriteLine($"trial {trial}: {standby} did not take over within 30 s; logs in {root}");
                return 1;
            }
            samples.Add(primaryMs.Value);
            served.Add(servingMs.Value);
            Console.Out.WriteLine($"trial {trial,2}: killed {primary}, {standby} primary after {primaryMs:F0} ms, serving after {servingMs:F0} ms");
            cluster.Start(primary);
        }
        foreach (var id in LocalCluster.Ids) await cluster.Stop(id, TimeSpan.FromSeconds(10));
        Console.Out.WriteLine($"profile {profile}: {trials} kill -9 trials; kill -> standby /status primary: {Summary(samples)}; -> serving writes (lease held): {Summary(served)}");
        try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        return 0;
    }

    /// <summary>Everyone up and hearing everyone, so the next kill measures failover and not a start-up.</summary>
    private static async Task<bool> Settled(LocalCluster cluster, string primary)
    {
        foreach (var id in LocalCluster.Ids)
        {
            if (await cluster.Status(id) is not { } s) return false;
            if (id != primary && s.GetProperty("primaryId").GetString() != primary) return false;
            foreach (var peer in s.GetProperty("peers").EnumerateArray())
                if (!peer.GetProperty("reachable").GetBoolean()) return false;
        }
        return true;
    }

    private static async Task<T?> WaitFor<T>(Func<Task<T?>> probe, TimeSpan timeout) where T : class
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(20);
        }
        return null;
    }

    public static string Summary(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        double Pct(double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
        return $"p50 {Pct(0.50):F0} ms, p99 {Pct(0.99):F0} ms, max {sorted[^1]:F0} ms";
    }
}
