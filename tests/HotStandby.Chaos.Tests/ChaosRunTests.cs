using Xunit;
using Xunit.Abstractions;

namespace HotStandby.Chaos.Tests;

/// <summary>
/// The CI chaos run: the real tool against three real nodes (in network namespaces when the machine allows it), once
/// with a fixed seed and once with a fresh one; the seed, the faults and the report go to the test output, and a
/// failing run keeps its directory (history, schedule, node logs) and names it.
/// </summary>
[Collection("chaos")]
public class ChaosRunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("HS_CHAOS_SECONDS"), out var s) ? s : 30);

    [Fact]
    public Task A_fixed_seed_run_loses_nothing_and_never_has_two_primaries() => RunAndCheck(20261124);

    [Fact]
    public Task A_random_seed_run_loses_nothing_and_never_has_two_primaries() =>
        RunAndCheck(int.TryParse(Environment.GetEnvironmentVariable("HS_CHAOS_SEED"), out var seed) ? seed : Random.Shared.Next(1, int.MaxValue));

    /// <summary>Async mode may lose the lag at a failover; the checker still demands one primary per epoch, reads that are
    /// consistent within an epoch, and every position a deposed node held on the final log or in its diverged/.</summary>
    [Fact]
    public Task An_async_run_never_has_two_primaries_and_accounts_for_what_a_failover_drops() =>
        RunAndCheck(2053480952, Length, allowNamespaces: true, syncMode: false);

    [Fact]
    public async Task Without_network_namespaces_the_run_says_network_faults_are_skipped_and_still_checks()
    {
        var report = await RunAndCheck(7, TimeSpan.FromSeconds(15), allowNamespaces: false);
        Assert.Contains(_log, l => l.Contains("WARNING: partition, one-way partition, isolate, loss and rate-limit faults are skipped"));
        Assert.All(report.Recoveries, r => Assert.False(r.Fault.IsNetwork));
    }

    private readonly List<string> _log = [];

    private static readonly object SummaryLock = new();

    private Task RunAndCheck(int seed) => RunAndCheck(seed, Length, allowNamespaces: true);

    private async Task<Checking.CheckReport> RunAndCheck(int seed, TimeSpan length, bool allowNamespaces, bool syncMode = true)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"hs-chaos-{seed}-{Guid.NewGuid():N}"[..40]);
        var log = _log;
        var options = new ChaosOptions { Seed = seed, Duration = length, OutDir = dir, KeepData = false, AllowNamespaces = allowNamespaces, SyncMode = syncMode };
        var run = new ChaosRun(options, line =>
        {
            log.Add(line);
            output.WriteLine(line);
        });
        using var timeout = new CancellationTokenSource(length + TimeSpan.FromMinutes(3));
        var report = await run.Execute(timeout.Token);
        // .ci/run prints this file, so every CI log shows the seeds and their reports even when the run passes.
        if (Environment.GetEnvironmentVariable("HS_CHAOS_SUMMARY") is { Length: > 0 } summary)
            lock (SummaryLock) File.AppendAllText(summary, string.Join('\n', log) + "\n\n");
        Assert.True(report is { Passed: true },
            $"chaos seed {seed} failed; run directory {dir} (replay: scripts/chaos.sh --seconds {length.TotalSeconds:0} --seed {seed}{(syncMode ? "" : " --mode async")}{(allowNamespaces ? "" : " --no-netns")})\n{string.Join('\n', log)}");
        Assert.True(report!.Acked > 0, "no write was acknowledged");
        Assert.NotEmpty(report.Recoveries);
        Directory.Delete(dir, recursive: true);
        return report;
    }
}
