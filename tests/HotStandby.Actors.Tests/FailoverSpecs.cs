using Akka.Actor;
using Akka.TestKit.Xunit2;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

[Collection(TimingCollection.Name)]
public sealed class FailoverSpecs() : TestKit("akka.loglevel = WARNING"), IAsyncLifetime
{
    private readonly TestNodes _nodes = TestNodes.Trio();
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    public Task InitializeAsync()
    {
        _nodes.StartAll();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private async Task AwaitRole(string id, NodeRole role, TimeSpan? within = null) =>
        await AwaitAssertAsync(async () => Assert.Equal(role, await _nodes.RoleOf(id)), within ?? Generous, TimeSpan.FromMilliseconds(50));

    [Fact]
    public async Task Preferred_node_becomes_primary_at_start_and_the_others_follow()
    {
        await AwaitRole("a", NodeRole.Primary);
        await AwaitRole("b", NodeRole.Standby);
        await AwaitRole("w", NodeRole.Witness);
        await AwaitAssertAsync(async () => Assert.Equal("a", (await _nodes.Status("b")).Core.PrimaryId), Generous);
        await AwaitAssertAsync(async () => Assert.Equal(["a"], await _nodes.Serving()), Generous);
    }

    [Fact]
    public async Task Killing_the_primary_system_makes_the_standby_primary_with_the_witness_vote()
    {
        await AwaitAssertAsync(async () => Assert.Equal(["a"], await _nodes.Serving()), Generous);
        var epochBefore = (await _nodes.Status("b")).Core.Epoch;
        await _nodes.Kill("a");
        await AwaitRole("b", NodeRole.Primary);
        var status = await _nodes.Status("b");
        Assert.True(status.Core.Epoch > epochBefore);
        Assert.Contains("w voted", status.Core.LastRoleChange!.Reason);
        Assert.Contains("primary a unreachable", status.Core.LastRoleChange.Reason);
    }
}
