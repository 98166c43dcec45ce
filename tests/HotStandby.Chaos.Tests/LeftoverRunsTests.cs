using HotStandby.Chaos.Network;
using Xunit;

namespace HotStandby.Chaos.Tests;

/// <summary>What a crashed run left behind is found by its tag and removed; a new run's subnet avoids any still in use.</summary>
public class LeftoverRunsTests
{
    [Fact]
    public void Only_chaos_namespaces_of_runs_whose_owner_is_gone_are_stale()
    {
        var namespaces = new[] { "hsc1a2ba", "hsc1a2bb", "hsc1a2bw", "hsc1a2bbr", "hscbeefa", "hscbeefbr", "hscXYZZa", "hsc1a2bx", "other", "hsc12345a" };
        var alive = new HashSet<string> { "beef" };
        Assert.Equal(["1a2b"], LeftoverRuns.StaleTags(namespaces, alive.Contains));
        Assert.Equal(["1a2b", "beef"], LeftoverRuns.StaleTags(namespaces, _ => false));
        Assert.Empty(LeftoverRuns.StaleTags(namespaces, _ => true));
    }

    [Fact]
    public void The_preferred_subnet_is_taken_unless_in_use_then_the_next_free_one_wrapping_round()
    {
        Assert.Equal(17, LeftoverRuns.PickOctet(17, new HashSet<int>()));
        Assert.Equal(19, LeftoverRuns.PickOctet(17, new HashSet<int> { 17, 18 }));
        Assert.Equal(1, LeftoverRuns.PickOctet(249, new HashSet<int> { 249, 250 }));
        var all = Enumerable.Range(1, 250).ToHashSet();
        Assert.Contains("every 10.231.X.0/24", Assert.Throws<InvalidOperationException>(() => LeftoverRuns.PickOctet(5, all)).Message);
    }

    [Fact]
    public void Subnets_in_use_are_read_from_the_hosts_addresses()
    {
        const string output = """
            1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever preferred_lft forever
            2: eth0    inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0\       valid_lft forever preferred_lft forever
            9: hsc1a2bh@if8    inet 10.231.42.254/24 scope global hsc1a2bh\       valid_lft forever preferred_lft forever
            11: hscbeefh@if10    inet 10.231.7.254/24 scope global hscbeefh\       valid_lft forever preferred_lft forever
            """;
        Assert.Equal(new HashSet<int> { 42, 7 }, LeftoverRuns.OctetsInUse(output));
    }
}
