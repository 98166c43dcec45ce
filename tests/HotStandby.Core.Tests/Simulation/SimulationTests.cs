using System.Collections.Concurrent;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Core.Tests.Simulation;

/// <summary>
/// Thousands of random fault schedules against the pure cores in virtual time. After every event: no two nodes may
/// acknowledge writes at once (witness mode), no epoch has two primaries, persisted epochs only grow; after the faults
/// heal, one serving primary must exist within the bound. A failure names the seed and prints the schedule; replay it
/// with <see cref="Replay"/>.
/// </summary>
public sealed class SimulationTests
{
    private const long RecoveryBoundMs = 6000;

    private static string? RunOne(int seed, FailoverMode mode, FailbackMode failback)
    {
        try
        {
            return new SimCluster(seed, mode, failback).Run(SimSchedule.Generate(seed), RecoveryBoundMs);
        }
        catch (SimViolation v)
        {
            return $"{v.Message}\n{SimSchedule.Generate(seed)}";
        }
    }

    private static void RunMany(int from, int count, FailoverMode mode, FailbackMode failback)
    {
        var failures = new ConcurrentBag<(int Seed, string Report)>();
        Parallel.For(from, from + count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            if (RunOne(seed, mode, failback) is { } report) failures.Add((seed, report));
        });
        if (failures.IsEmpty) return;
        var first = failures.MinBy(f => f.Seed);
        Assert.Fail($"{failures.Count} of {count} schedules violated a guarantee ({mode}, failback {failback}); " +
                    $"seeds {string.Join(", ", failures.Select(f => f.Seed).Order().Take(20))}. First: {first.Report}");
    }

    /// <summary>HS_SIM_SCHEDULES raises the count for a longer local search (the CI run uses 10,000).</summary>
    private static int Scaled(int count) =>
        int.TryParse(Environment.GetEnvironmentVariable("HS_SIM_SCHEDULES"), out var n) && n > count ? n : count;

    [Fact]
    public void Ten_thousand_random_schedules_in_witness_mode_keep_one_primary_and_recover() =>
        RunMany(1, Scaled(10_000), FailoverMode.Witness, FailbackMode.Auto);

    [Fact]
    public void Random_schedules_with_failback_off_keep_one_primary_and_recover() =>
        RunMany(100_001, Scaled(1_000), FailoverMode.Witness, FailbackMode.Off);

    [Fact]
    public void Random_schedules_in_two_node_mode_converge_to_one_primary_after_heal() =>
        RunMany(200_001, Scaled(1_000), FailoverMode.TwoNode, FailbackMode.Auto);

    /// <summary>
    /// Replays one schedule with its full report: HS_SIM_SEED=N, and HS_SIM_MODE=two-node or HS_SIM_FAILBACK=off for the
    /// other runs (seeds from 100,001 use failback off, from 200,001 two-node mode).
    /// </summary>
    [Fact]
    public void Replay()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HS_SIM_SEED"), out var s) ? s : 42;
        var mode = Environment.GetEnvironmentVariable("HS_SIM_MODE") == "two-node" ? FailoverMode.TwoNode : FailoverMode.Witness;
        var failback = Environment.GetEnvironmentVariable("HS_SIM_FAILBACK") == "off" ? FailbackMode.Off : FailbackMode.Auto;
        Assert.Null(RunOne(seed, mode, failback));
    }
}

/// <summary>
/// A targeted sweep: a and b cannot hear each other while the witness crashes and restarts quickly at every offset
/// within a lease. A restarted voter must not vote before acceptable-pause, or it helps elect b while a's lease (built
/// on the witness's ack from before the crash) still holds.
/// </summary>
public sealed class QuickRestartSweepTests
{
    [Fact]
    public void Witness_restarting_inside_a_lease_never_makes_a_second_serving_primary()
    {
        var failures = new List<string>();
        var seed = 0;
        for (var crashAt = 1500L; crashAt < 2500; crashAt += 3)
        {
            foreach (var downMs in new long[] { 5, 15, 40 })
            {
                seed++;
                var schedule = new SimSchedule(seed, [
                    new SimFault.Partition(1000, 4000, [(0, 1), (1, 0)]),
                    new SimFault.Crash(crashAt, crashAt + downMs, 2),
                ], FaultsEndMs: 4000);
                string? report;
                try { report = new SimCluster(seed).Run(schedule, 6000); }
                catch (SimViolation v) { report = v.Message; }
                if (report is not null) failures.Add(report);
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} violations; first: {failures.FirstOrDefault()}");
    }
}
