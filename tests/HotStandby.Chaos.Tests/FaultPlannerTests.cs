using HotStandby.Chaos.Faults;
using Xunit;

namespace HotStandby.Chaos.Tests;

public class FaultPlannerTests
{
    private const long HalfHour = 30 * 60_000;

    [Fact]
    public void The_same_seed_gives_the_same_schedule()
    {
        var first = FaultPlanner.Plan(42, 120_000, networkFaults: true);
        var again = FaultPlanner.Plan(42, 120_000, networkFaults: true);
        Assert.Equal(first.Select(f => f.Describe() + f.AtMs), again.Select(f => f.Describe() + f.AtMs));
        Assert.NotEqual(first.Select(f => f.Describe() + f.AtMs), FaultPlanner.Plan(43, 120_000, true).Select(f => f.Describe() + f.AtMs));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20261124)]
    [InlineData(777)]
    public void Faults_heal_in_time_at_most_two_are_active_at_once_and_none_share_a_process_or_link(int seed)
    {
        var plan = FaultPlanner.Plan(seed, HalfHour, networkFaults: true);
        Assert.NotEmpty(plan);
        Assert.All(plan, f => Assert.InRange(f.HealAtMs, f.AtMs + 100, HalfHour));
        Assert.All(plan, f => Assert.True(f.AtMs >= FaultPlanner.WarmUpMs));
        foreach (var f in plan)
        {
            var activeAtItsStart = plan.Where(g => g.AtMs <= f.AtMs && f.AtMs < g.HealAtMs).ToList();
            Assert.True(activeAtItsStart.Count <= FaultPlanner.MaxConcurrent, $"{activeAtItsStart.Count} faults active when {f.Describe()} starts");
            var overlapping = plan.Where(g => g != f && g.AtMs < f.HealAtMs && f.AtMs < g.HealAtMs);
            Assert.DoesNotContain(overlapping, g => g.Claims.Intersect(f.Claims).Any());
        }
        Assert.Contains(plan, f => plan.Any(g => g != f && g.AtMs < f.HealAtMs && f.AtMs < g.HealAtMs)); // faults do overlap
    }

    [Fact]
    public void A_long_run_draws_every_kind_and_the_witness_is_the_only_target_of_witness_down()
    {
        var plan = FaultPlanner.Plan(5, HalfHour, networkFaults: true);
        Assert.Equal(Enum.GetValues<FaultKind>().Order(), plan.Select(f => f.Kind).Distinct().Order());
        Assert.All(plan.Where(f => f.Kind == FaultKind.WitnessDown), f => Assert.Equal("w", f.Node));
        Assert.All(plan.Where(f => f.Kind == FaultKind.Kill), f => Assert.Contains(f.Node, FaultPlanner.DataNodes));
        Assert.All(plan.Where(f => f.Kind == FaultKind.OneWayPartition), f => Assert.Single(f.Links));
        Assert.All(plan.Where(f => f.Kind == FaultKind.Isolate), f => Assert.Equal(4, f.Links.Count));
    }

    [Fact]
    public void Without_network_namespaces_only_process_faults_are_planned()
    {
        var plan = FaultPlanner.Plan(9, HalfHour, networkFaults: false);
        Assert.NotEmpty(plan);
        Assert.All(plan, f => Assert.False(f.IsNetwork, f.Describe()));
    }
}
