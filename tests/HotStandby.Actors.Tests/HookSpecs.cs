using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

[Collection(TimingCollection.Name)]
public sealed class HookSpecs : NodeSpec
{
    [Fact]
    public async Task Promote_hook_runs_with_the_change_in_its_environment()
    {
        var marker = Path.Combine(Path.GetTempPath(), "hs-hook-" + Guid.NewGuid().ToString("N")[..8]);
        await using var nodes = TestNodes.Trio();
        nodes.Tweak("a", s => s with { Hooks = s.Hooks with { OnPromote = $"echo \"$HOTSTANDBY_NODE_ID $HOTSTANDBY_FROM_ROLE $HOTSTANDBY_TO_ROLE $HOTSTANDBY_EPOCH\" > {marker}" } });
        nodes.StartAll();
        await AwaitConditionAsync(() => Task.FromResult(File.Exists(marker) && File.ReadAllText(marker).Trim().Length > 0), Generous);
        var epoch = (await nodes.Status("a")).Core.Epoch;
        Assert.Equal($"a standby primary {epoch}", File.ReadAllText(marker).Trim());
        File.Delete(marker);
    }

    [Fact]
    public async Task Failing_promote_hook_fences_the_node_and_the_standby_takes_over()
    {
        await using var nodes = TestNodes.Trio();
        nodes.Tweak("a", s => s with { Hooks = s.Hooks with { OnPromote = "exit 3" } });
        nodes.StartAll();
        await AwaitAssertAsync(async () =>
        {
            var a = await nodes.Status("a");
            Assert.Equal(NodeRole.Faulted, a.Core.Role);
            Assert.Contains("on-promote hook 'exit 3' exited with 3", a.Core.LastRoleChange!.Reason);
        }, Generous, TimeSpan.FromMilliseconds(50));
        await AwaitServing(nodes, "b");
    }
}
