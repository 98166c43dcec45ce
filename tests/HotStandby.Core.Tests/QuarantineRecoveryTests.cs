using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Core.Tests;

public sealed class QuarantineRecoveryTests
{
    private const long Fresh = 250, After = 1000, Now = 10_000;

    private static PeerView Peer(string id, long lastHeard, long? terminatedAt = null, string[]? hears = null, string? primary = null) =>
        new(id, NodeRole.Standby, 3, primary, LogPosition.Zero, 0, false, true, lastHeard, hears ?? [], null, terminatedAt);

    [Fact]
    public void Node_that_hears_no_one_after_deathwatch_restarts()
    {
        var peers = new[] { Peer("b", Now - 2000, terminatedAt: Now - 1500), Peer("w", Now - 2000, terminatedAt: Now - 1500) };
        Assert.Contains("no peer is heard", QuarantineRecovery.Decide("a", NodeRole.Standby, peers, Now, Fresh, After));
    }

    [Fact]
    public void Dead_peer_that_nobody_hears_causes_no_restart()
    {
        var peers = new[] { Peer("a", Now - 2000, terminatedAt: Now - 1500), Peer("w", Now - 10, hears: ["b"]) };
        Assert.Null(QuarantineRecovery.Decide("b", NodeRole.Primary, peers, Now, Fresh, After));
        Assert.Null(QuarantineRecovery.Decide("b", NodeRole.Standby, peers, Now, Fresh, After));
    }

    [Theory]
    [InlineData("b", NodeRole.Standby, "a", true)]   // the primary a is alive behind the quarantine: the standby restarts
    [InlineData("a", NodeRole.Primary, "a", false)]  // the primary keeps its incarnation
    [InlineData("b", NodeRole.Standby, null, true)]  // neither primary: the higher id restarts
    [InlineData("a", NodeRole.Standby, null, false)]
    public void Live_peer_behind_a_quarantine_makes_exactly_one_side_restart(string self, NodeRole role, string? primary, bool restarts)
    {
        var other = self == "a" ? "b" : "a";
        var peers = new[] { Peer(other, Now - 2000, terminatedAt: Now - 1500), Peer("w", Now - 10, hears: ["a", "b"], primary: primary) };
        Assert.Equal(restarts, QuarantineRecovery.Decide(self, role, peers, Now, Fresh, After) is not null);
    }

    [Fact]
    public void No_restart_before_restart_after_has_passed()
    {
        var peers = new[] { Peer("b", Now - 500, terminatedAt: Now - 500), Peer("w", Now - 500, terminatedAt: Now - 500) };
        Assert.Null(QuarantineRecovery.Decide("a", NodeRole.Standby, peers, Now, Fresh, After));
    }
}
