using HotStandby.Core.Roles;
using HotStandby.Core.Settings;
using Xunit;

namespace HotStandby.Core.Tests;

public sealed class SettingsValidatorTests
{
    private static NodeSettings Valid() => new(
        "a", false, true,
        [new PeerSettings("akka.tcp://hotstandby@127.0.0.1:4072", "b"), new PeerSettings("akka.tcp://hotstandby@127.0.0.1:4073", "w")],
        "data", "127.0.0.1", 8080, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 8, 3,
        FailoverMode.Witness, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(1), FailbackMode.Auto, TimeSpan.FromSeconds(10),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), ReplicationMode.Sync, new HookSettings(null, null, null, TimeSpan.FromSeconds(10)));

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(SettingsValidator.Validate(Valid()));

    public static TheoryData<string, Func<NodeSettings, NodeSettings>, string> Broken => new()
    {
        { "hotstandby.failover.lease", s => s with { Lease = TimeSpan.FromMilliseconds(950) }, "at most 90 %" },
        { "hotstandby.failover.lease", s => s with { Lease = TimeSpan.FromMilliseconds(150) }, "longer than heartbeat.interval" },
        { "hotstandby.heartbeat.interval", s => s with { HeartbeatInterval = TimeSpan.FromMilliseconds(-5) }, "positive" },
        { "hotstandby.peers", s => s with { Peers = [new PeerSettings("akka.tcp://hotstandby@127.0.0.1:4072", "a"), s.Peers[1]] }, "duplicate node id 'a'" },
        { "hotstandby.peers", s => s with { Peers = [s.Peers[0], new PeerSettings("akka.tcp://hotstandby@127.0.0.1:4073", "b")] }, "duplicate node id 'b'" },
        { "hotstandby.peers", s => s with { Peers = [new PeerSettings("tcp://x", null), s.Peers[1]] }, "not an address" },
        { "hotstandby.failover.mode", s => s with { Peers = [s.Peers[0]] }, "needs two peers" },
        { "hotstandby.preferred-primary", s => s with { IsWitness = true }, "witness" },
        { "hotstandby.node-id", s => s with { NodeId = "a b" }, "not a node id" },
        { "hotstandby.replication.async-batch-delay", s => s with { Replication = s.Replication with { AsyncBatchDelay = TimeSpan.FromMilliseconds(-1) } }, "from 0 to below" },
        { "hotstandby.replication.async-batch-delay", s => s with { Replication = s.Replication with { AsyncBatchDelay = s.Replication.SyncTimeout } }, "below replication.sync-timeout" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Each_broken_setting_is_named_with_its_problem(string key, Func<NodeSettings, NodeSettings> breakIt, string problem)
    {
        var errors = SettingsValidator.Validate(breakIt(Valid()));
        Assert.Contains(errors, e => e.Key == key && e.Problem.Contains(problem));
    }
}
