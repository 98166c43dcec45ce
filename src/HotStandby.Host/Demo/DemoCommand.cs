using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HotStandby.Host.Client;

namespace HotStandby.Host.Demo;

/// <summary>
/// <c>hotstandby demo</c>: a local pair and a witness on loopback with the fast-failover profile; writes keys, kills the
/// primary with SIGKILL while a client keeps writing, shows the standby take over with every key, restarts the old
/// primary and shows it fail back holding every acknowledged key, printing a timeline.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"hotstandby-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        var profile = Path.Combine(AppContext.BaseDirectory, "hocon", "fast-failover.conf");
        await using var cluster = new LocalCluster(root, HostCommand.Current(), File.Exists(profile) ? profile : null,
            "hotstandby.failback.stable-after = 3s");
        var timeline = new Timeline(cluster);
        Console.Out.WriteLine($"HotStandby demo: a (preferred primary), b (standby) and w (witness) as real processes on loopback.");
        Console.Out.WriteLine($"Configs, data and logs: {root}");
        Console.Out.WriteLine();

        timeline.Say("starting a, b and w");
        foreach (var id in LocalCluster.Ids) cluster.Start(id);
        if (!await timeline.Until(async () => await cluster.ServingPrimary() == "a" && await AllFollow(cluster, "a"), TimeSpan.FromSeconds(30)))
            return timeline.Fail("a did not become primary with b and w following it");

        var urls = LocalCluster.Ids.Select(cluster.HttpUrl).ToList();
        using var client = new KvClient(urls, TimeSpan.FromSeconds(3));
        var acked = new ConcurrentDictionary<string, string>();
        for (var i = 0; i < 100; i++)
        {
            var value = $"written before the kill #{i}";
            var r = await client.Put($"before-{i}", Encoding.UTF8.GetBytes(value), TimeSpan.FromSeconds(10));
            if (!r.Acked) return timeline.Fail($"write before-{i} was not acknowledged: {r.Status} {r.Error}");
            acked[$"before-{i}"] = value;
        }
        timeline.Say($"wrote 100 keys (before-0 … before-99) to a in sync mode; each acknowledged once b held it durably");

        // A client keeps writing through the outage, following 307 to the primary and retrying on 503.
        using var stopWriting = new CancellationTokenSource();
        var firstAckAfterKill = new TaskCompletionSource<(double Ms, string Node)>();
        long killedTicks = 0, attempts = 0;
        var writer = Task.Run(async () =>
        {
            using var w = new KvClient(urls, TimeSpan.FromSeconds(2));
            for (var n = 0; !stopWriting.IsCancellationRequested; n++)
            {
                var value = $"written during the demo #{n}";
                Interlocked.Increment(ref attempts);
                var r = await w.Put($"during-{n}", Encoding.UTF8.GetBytes(value), TimeSpan.FromSeconds(30));
                if (!r.Acked) continue;
                acked[$"during-{n}"] = value;
                var killedAt = Interlocked.Read(ref killedTicks);
                if (killedAt != 0 && r.Node != cluster.HttpUrl("a"))
                    firstAckAfterKill.TrySetResult((Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds, r.Node));
                await Task.Delay(5);
            }
        });
        await Task.Delay(200);

        var pid = cluster.Pid("a");
        timeline.Say($"kill -9 a (pid {pid}): the primary dies without a word");
        var killedAt = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref killedTicks, killedAt);
        cluster.Kill("a");
        if (!await timeline.Until(async () => await cluster.Role("b") == "primary", TimeSpan.FromSeconds(30)))
            return timeline.Fail("b did not take over");
        var failoverMs = Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds;
        timeline.Say($"b reports primary {failoverMs:F0} ms after the kill");
        var firstAck = await firstAckAfterKill.Task.WaitAsync(TimeSpan.FromSeconds(30));
        timeline.Say($"the writing client's first write acknowledged by b came {firstAck.Ms:F0} ms after the kill");
        var onB = await CountPresent(client, cluster.HttpUrl("b"), acked.Where(k => k.Key.StartsWith("before-")));
        timeline.Say($"b holds {onB} of the 100 keys written before the kill");
        if (onB != 100) return timeline.Fail("b is missing acknowledged keys");

        timeline.Say("restarting a (same data directory)");
        cluster.Start("a");
        var restartedAt = Stopwatch.GetTimestamp();
        if (!await timeline.Until(async () => await cluster.ServingPrimary() == "a" && await AllFollow(cluster, "a"), TimeSpan.FromSeconds(60)))
            return timeline.Fail("a did not take its role back");
        timeline.Say($"a is primary again {Stopwatch.GetElapsedTime(restartedAt).TotalSeconds:F1} s after its restart (failback waits for stable-after = 3 s)");
        await stopWriting.CancelAsync();
        await writer;
        var onA = await CountPresent(client, cluster.HttpUrl("a"), acked);
        timeline.Say($"a holds {onA} of the {acked.Count} acknowledged keys ({acked.Count - 100} written during the outage and failback, {Interlocked.Read(ref attempts)} attempts)");
        if (onA != acked.Count) return timeline.Fail("a is missing acknowledged keys after failback");

        timeline.Say("stopping all nodes with SIGTERM");
        foreach (var id in new[] { "w", "b", "a" }) await cluster.Stop(id, TimeSpan.FromSeconds(10));
        Console.Out.WriteLine();
        Console.Out.WriteLine($"failover (kill -9 -> standby primary): {failoverMs:F0} ms; role changes of every node: GET /events; logs: {root}/*.log");
        return 0;
    }

    private static async Task<int> CountPresent(KvClient client, string node, IEnumerable<KeyValuePair<string, string>> keys)
    {
        var present = 0;
        foreach (var (key, value) in keys)
        {
            var (status, bytes, _) = await client.Get(node, key);
            if (status == 200 && Encoding.UTF8.GetString(bytes!) == value) present++;
        }
        return present;
    }

    private static async Task<bool> AllFollow(LocalCluster cluster, string primary)
    {
        foreach (var id in LocalCluster.Ids.Where(i => i != primary))
            if (await cluster.Status(id) is not { } s || s.GetProperty("primaryId").GetString() != primary) return false;
        return true;
    }

    /// <summary>Prints timed lines, and every role change any node reports while waiting.</summary>
    private sealed class Timeline(LocalCluster cluster)
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private readonly Dictionary<string, string> _seen = new();

        public void Say(string text) => Console.Out.WriteLine($"  t+{Stopwatch.GetElapsedTime(_start).TotalSeconds,7:F3}  {text}");

        public int Fail(string text)
        {
            Say($"FAILED: {text}; see the logs in {cluster.Root}");
            return 1;
        }

        public async Task<bool> Until(Func<Task<bool>> condition, TimeSpan timeout)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await ReportChanges();
                if (await condition()) return true;
                await Task.Delay(10);
            }
            return false;
        }

        private async Task ReportChanges()
        {
            foreach (var id in LocalCluster.Ids.Where(cluster.IsRunning))
            {
                if (await cluster.Status(id) is not { } s) continue;
                var role = s.GetProperty("role").GetString()!;
                var epoch = s.GetProperty("epoch").GetInt64();
                var key = role;
                if (_seen.GetValueOrDefault(id) == key) continue;
                _seen[id] = key;
                var change = s.GetProperty("lastRoleChange");
                var reason = change.ValueKind == JsonValueKind.Object ? change.GetProperty("reason").GetString() : "";
                Say($"{id}: {role}, epoch {epoch} — {reason}");
            }
        }
    }
}
