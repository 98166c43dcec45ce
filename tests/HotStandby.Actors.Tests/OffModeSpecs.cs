using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

[Collection(TimingCollection.Name)]
public sealed class OffModeSpecs : NodeSpec
{
    [Fact]
    public async Task Failover_off_never_promotes_by_itself_but_an_operator_can_promote_the_standby()
    {
        await using var nodes = new TestNodes(("a", false, true), ("b", false, false), ("w", true, false)) { FailoverMode = FailoverMode.Off };
        nodes.StartAll();
        await AwaitServing(nodes, "a");
        await nodes.Kill("a");

        // Well past acceptable-pause (400 ms) and several election timeouts: b stays a standby.
        await AwaitAssertAsync(async () =>
        {
            var b = await nodes.Status("b");
            var silentFor = b.NowMs - b.Core.Peers.Single(p => p.NodeId == "a").LastHeardMs;
            Assert.True(silentFor > 3000, $"a silent for {silentFor} ms");
            Assert.Equal(NodeRole.Standby, b.Core.Role);
        }, Generous, TimeSpan.FromMilliseconds(100));
        Assert.Empty(await nodes.Serving());

        var result = await nodes["b"].SwitchoverAsync(null, TimeSpan.FromSeconds(3));
        Assert.True(result.Accepted, result.Message);
        await AwaitServing(nodes, "b");
        Assert.Contains("operator switchover", (await nodes.Status("b")).Core.LastRoleChange!.Reason);
    }
}
