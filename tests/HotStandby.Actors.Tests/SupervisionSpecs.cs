using Akka.Actor;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>What the role supervisor does when a child or the disk fails.</summary>
[Collection(TimingCollection.Name)]
public sealed class SupervisionSpecs : NodeSpec
{
    [Fact]
    public async Task Crashed_heartbeat_child_is_started_again_and_the_node_keeps_its_role()
    {
        await using var nodes = TestNodes.Trio();
        nodes.StartAll();
        await AwaitServing(nodes, "a");
        var system = nodes["a"].System;
        var before = await system.ActorSelection("/user/node/heartbeat").ResolveOne(TimeSpan.FromSeconds(3));

        system.ActorSelection("/user/node/heartbeat").Tell(Kill.Instance);

        await AwaitAssertAsync(async () =>
        {
            var after = await system.ActorSelection("/user/node/heartbeat").ResolveOne(TimeSpan.FromSeconds(1));
            Assert.NotEqual(before, after);
        }, Generous, TimeSpan.FromMilliseconds(50));
        await AwaitServing(nodes, "a");
    }

    [Fact]
    public async Task Standby_that_cannot_record_its_vote_is_fenced_and_never_serves()
    {
        await using var nodes = TestNodes.Trio();
        nodes.StartAll();
        await AwaitServing(nodes, "a");
        // A directory where the state file's temporary copy must go makes every save fail.
        Directory.CreateDirectory(Path.Combine(nodes.DataDir("b"), "node-state.tmp"));

        await nodes.Kill("a");

        await AwaitAssertAsync(async () =>
        {
            var b = await nodes.Status("b");
            Assert.Equal(NodeRole.Faulted, b.Core.Role);
            Assert.Contains("storage failed", b.Core.LastRoleChange!.Reason);
        }, Generous, TimeSpan.FromMilliseconds(50));
        Assert.Empty(await nodes.Serving());
    }
}
