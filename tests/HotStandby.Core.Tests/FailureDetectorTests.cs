using HotStandby.Core.FailureDetection;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Core.Tests;

/// <summary>The phi detector and reachability with an explicit clock, heartbeats every 100 ms.</summary>
public sealed class FailureDetectorTests
{
    private static PeerReachability Regular(long until)
    {
        var r = new PeerReachability(new PhiAccrualFailureDetector(100, acceptablePauseMs: 200, minStdDeviationMs: 20), suspectPhi: 3, phiThreshold: 8);
        for (long t = 0; t <= until; t += 100) r.Heartbeat(t);
        return r;
    }

    [Fact]
    public void Unknown_before_the_first_heartbeat()
    {
        var r = new PeerReachability(new PhiAccrualFailureDetector(100, 200, 20), 3, 8);
        Assert.Equal(Reachability.Unknown, r.Evaluate(5000));
        Assert.Equal(0, r.Phi(5000));
    }

    [Theory]
    [InlineData(1000, Reachability.Reachable)]   // just after the last heartbeat
    [InlineData(1150, Reachability.Reachable)]   // one late beat
    [InlineData(1300, Reachability.Reachable)]   // interval + acceptable pause: phi 0.3
    [InlineData(1370, Reachability.Suspect)]     // phi 3.7
    [InlineData(1450, Reachability.Unreachable)] // phi past 8
    [InlineData(10_000, Reachability.Unreachable)]
    public void Regular_heartbeats_then_silence(long at, Reachability expected)
    {
        var r = Regular(until: 1000);
        Assert.Equal(expected, r.Evaluate(at));
    }

    [Fact]
    public void Phi_grows_with_silence()
    {
        var r = Regular(until: 1000);
        var phis = new[] { 1050L, 1200, 1300, 1400 }.Select(r.Phi).ToList();
        Assert.Equal(phis.Order(), phis);
        Assert.True(phis[^1] > phis[0]);
    }

    [Fact]
    public void Deathwatch_marks_unreachable_until_the_next_heartbeat()
    {
        var r = Regular(until: 1000);
        r.Terminated(1010);
        Assert.Equal(Reachability.Unreachable, r.Evaluate(1020));
        r.Heartbeat(1100);
        Assert.Equal(Reachability.Reachable, r.Evaluate(1110));
    }
}
