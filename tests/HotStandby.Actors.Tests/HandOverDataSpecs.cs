using HotStandby.Actors.Protocol;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>Planned hand-overs with writes flowing: a switchover and an automatic failback lose no acknowledged write.</summary>
[Collection(TimingCollection.Name)]
public sealed class HandOverDataSpecs : NodeSpec, IAsyncLifetime
{
    private readonly TestNodes _nodes = TestNodes.Trio();

    public async Task InitializeAsync()
    {
        _nodes.StartAll();
        await AwaitServing(_nodes, "a");
        await AwaitAssertAsync(async () => Assert.True(await _nodes.AllConnected()), Generous, TimeSpan.FromMilliseconds(50));
        await AwaitAssertAsync(async () =>
        {
            var a = (await _nodes.Status("a")).Store!;
            Assert.True(a.Replication.InSync && a.Replication.StandbyEligible == true);
        }, Generous, TimeSpan.FromMilliseconds(50));
    }

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private async Task AwaitAllReadable(string id, IReadOnlyCollection<string> keys) =>
        await AwaitAssertAsync(async () =>
        {
            var missing = 0;
            foreach (var key in keys)
                if (await _nodes.Get(id, key) is null) missing++;
            Assert.True(missing == 0, $"{missing} of {keys.Count} acknowledged keys missing on {id}");
        }, Generous, TimeSpan.FromMilliseconds(200));

    [Fact]
    public async Task Switchover_during_writes_loses_no_acknowledged_write()
    {
        var started = new TaskCompletionSource();
        var writes = _nodes.PutMany("a", "k", 3000, concurrency: 8, onAcked: n => { if (n == 200) started.TrySetResult(); });
        await started.Task.WaitAsync(Generous);
        var result = await _nodes["a"].SwitchoverAsync("b", TimeSpan.FromSeconds(5));
        Assert.True(result.Accepted, result.Message);
        var acked = await writes.WaitAsync(Generous); // writes to a end once it is no longer primary
        await AwaitServing(_nodes, "b");
        Assert.True(acked.Count >= 200);
        await AwaitAllReadable("b", acked);
        // Among a's role changes, not necessarily its last: with auto failback (1 s here) b may already have handed back.
        Assert.Contains((await _nodes.Status("a")).Events, e => e.Change.Reason.Contains("handed over to b"));
    }

    [Fact]
    public async Task Failback_after_a_failover_brings_every_write_back_to_the_preferred_primary()
    {
        var before = await _nodes.PutMany("a", "before", 200, concurrency: 8, retryRefused: true);
        await _nodes.Kill("a");
        await AwaitServing(_nodes, "b");
        var during = await _nodes.PutMany("b", "during", 300, concurrency: 8, retryRefused: true);
        Assert.Equal(300, during.Count);

        _nodes.Start("a"); // auto failback once a is caught up and stable for stable-after (1 s here)
        await AwaitServing(_nodes, "a");
        Assert.Equal(NodeRole.Standby, await _nodes.RoleOf("b"));
        await AwaitAllReadable("a", before.Concat(during).ToList());
        var after = await _nodes.PutMany("a", "after", 50, concurrency: 4, retryRefused: true);
        await AwaitAllReadable("b", after);
    }
}
