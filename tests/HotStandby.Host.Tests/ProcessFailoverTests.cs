using System.Net;
using System.Text.Json;
using HotStandby.Host.Demo;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>Three real <c>hotstandby run</c> processes on loopback.</summary>
[Collection("processes")]
public sealed class ProcessFailoverTests() : ClusterSpec("hs-proc", "hotstandby.failback.mode = off")
{
    /// <summary>Whichever data node wins the first election (a is preferred, but b may start first).</summary>
    private async Task<(string Primary, string Standby)> AwaitFirstPrimary()
    {
        var primary = await AwaitServingPrimary();
        await AwaitConditionAsync(AllReachable, Generous);
        return (primary, primary == "a" ? "b" : "a");
    }

    private async Task AwaitServing(string id) =>
        await AwaitAssertAsync(async () => Assert.Equal(id, await Cluster.ServingPrimary()), Generous, TimeSpan.FromMilliseconds(50));

    private async Task<bool> AllReachable()
    {
        foreach (var id in LocalCluster.Ids.Where(Cluster.IsRunning))
        {
            if (await Cluster.Status(id) is not { } s) return false;
            if (s.GetProperty("peers").EnumerateArray().Any(p => !p.GetProperty("reachable").GetBoolean())) return false;
        }
        return true;
    }

    [Fact]
    public async Task Kill_9_of_the_primary_makes_the_standby_report_primary()
    {
        var (primary, standby) = await AwaitFirstPrimary();
        Cluster.Kill(primary);
        await AwaitAssertAsync(async () => Assert.Equal("primary", await Cluster.Role(standby)), Generous, TimeSpan.FromMilliseconds(20));
        var status = (await Cluster.Status(standby))!.Value;
        Assert.Contains($"primary {primary} unreachable", status.GetProperty("lastRoleChange").GetProperty("reason").GetString());
        await AwaitServing(standby);
    }

    [Fact]
    public async Task Sigterm_on_the_primary_hands_over_before_exiting()
    {
        var (primary, standby) = await AwaitFirstPrimary();
        var exit = await Cluster.Stop(primary, TimeSpan.FromSeconds(30));
        Assert.Equal(0, exit);
        var status = (await Cluster.Status(standby))!.Value;
        // On failure, say what the standby reports and what the stopped primary logged: a flake once hid both.
        var why = $"{standby}'s status: {status}\n{primary}'s log:\n{File.ReadAllText(Cluster.LogPath(primary))}";
        Assert.True(status.GetProperty("role").GetString() == "primary", why);
        Assert.True(status.GetProperty("lastRoleChange").GetProperty("reason").GetString()!.Contains($"{primary} handed over (shutdown)"), why);
        Assert.Contains($"shutdown: {standby} is primary now", File.ReadAllText(Cluster.LogPath(primary)));
    }

    [Fact]
    public async Task Http_api_answers_status_events_metrics_and_errors_as_json()
    {
        var (first, _) = await AwaitFirstPrimary();
        if (first != "a")
        {
            Assert.Equal(0, await HotStandby.Host.Cli.ClientCommands.SwitchoverAsync(Cluster.HttpUrl(first), "a"));
            await AwaitServing("a");
        }
        await AwaitConditionAsync(AllReachable, Generous);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var status = JsonDocument.Parse(await http.GetStringAsync($"{Cluster.HttpUrl("b")}/status")).RootElement;
        foreach (var field in new[] { "nodeId", "role", "epoch", "primaryId", "commitIndex", "appliedIndex", "replication", "peers", "lastRoleChange" })
            Assert.True(status.TryGetProperty(field, out _), field);
        Assert.Equal("standby", status.GetProperty("role").GetString());
        Assert.Equal("a", status.GetProperty("primaryId").GetString());
        var peer = status.GetProperty("peers").EnumerateArray().First(p => p.GetProperty("nodeId").GetString() == "a");
        Assert.True(peer.GetProperty("reachable").GetBoolean());
        Assert.Equal("primary", peer.GetProperty("role").GetString());

        var events = JsonDocument.Parse(await http.GetStringAsync($"{Cluster.HttpUrl("a")}/events")).RootElement;
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("to").GetString() == "primary");

        // A round-trip time appears with the first heartbeat answered after the peer became reachable: poll for it.
        await AwaitAssertAsync(async () =>
        {
            var metrics = await http.GetStringAsync($"{Cluster.HttpUrl("a")}/metrics");
            Assert.Contains("hotstandby_role{node=\"a\",role=\"primary\"} 1", metrics);
            Assert.Contains("hotstandby_heartbeat_rtt_ms{node=\"a\",peer=\"b\"}", metrics);
            Assert.Contains("hotstandby_gc_collections_total{node=\"a\",generation=\"2\"}", metrics);
            Assert.Contains("hotstandby_gc_pause_seconds_total{node=\"a\"}", metrics);
            Assert.Contains("hotstandby_gc_pause_max_ms{node=\"a\"}", metrics);
            var allocated = metrics.Split('\n').Single(l => l.StartsWith("hotstandby_allocated_bytes_total{"));
            Assert.True(double.Parse(allocated.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, allocated);
            var poolItems = metrics.Split('\n').Single(l => l.StartsWith("hotstandby_threadpool_completed_items_total{node=\"a\"}"));
            Assert.True(double.Parse(poolItems.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, poolItems); // actors ran on the pool
        }, Generous, TimeSpan.FromMilliseconds(100));

        var missing = await http.GetAsync($"{Cluster.HttpUrl("a")}/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no route GET /nope", await missing.Content.ReadAsStringAsync());
        var wrongMethod = await http.PostAsync($"{Cluster.HttpUrl("a")}/status", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);

        // A switchover asked of the standby is redirected to the primary.
        var redirected = await http.PostAsync($"{Cluster.HttpUrl("b")}/admin/switchover?to=b", null);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal($"{Cluster.HttpUrl("a")}/admin/switchover?to=b", redirected.Headers.Location!.ToString());
        var refused = await http.PostAsync($"{Cluster.HttpUrl("a")}/admin/switchover?to=w", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("witness", await refused.Content.ReadAsStringAsync());

        var (statusExit, statusOut, _) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "status", "--endpoint", Cluster.HttpUrl("b"));
        Assert.Equal(0, statusExit);
        Assert.Contains("primary: a", statusOut);

        // The command-line switchover follows the redirect from the standby to the primary.
        var (switchExit, switchOut, switchErr) = await HostProcess.RunToExit(TimeSpan.FromSeconds(60), "switchover", "--to", "b", "--endpoint", Cluster.HttpUrl("b"));
        Assert.True(switchExit == 0, switchErr);
        Assert.Contains("switchover to b started", switchOut);
        await AwaitServing("b");
    }
}

[CollectionDefinition("processes", DisableParallelization = true)]
public sealed class ProcessCollection;
