using Akka.Configuration;
using HotStandby.Actors.Configuration;
using HotStandby.Core.Roles;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>HOCON to validated settings: every failure names the key.</summary>
public sealed class SettingsFactorySpecs
{
    private const string Valid = """
        hotstandby {
          node-id = a
          preferred-primary = on
          peers = [
            { node-id = b, address = "akka.tcp://hotstandby@127.0.0.1:4072" }
            "akka.tcp://hotstandby@127.0.0.1:4073"
          ]
        }
        """;

    private static Config Parse(string extra) => ConfigurationFactory.ParseString(extra + "\n" + Valid);

    [Fact]
    public void Reference_defaults_plus_a_node_file_make_valid_settings()
    {
        var s = HotStandbySettingsFactory.Create(ConfigurationFactory.ParseString(Valid));
        Assert.Equal("a", s.NodeId);
        Assert.True(s.PreferredPrimary);
        Assert.Equal(FailoverMode.Witness, s.FailoverMode);
        Assert.Equal(TimeSpan.FromMilliseconds(700), s.Lease);
        Assert.Equal("b", s.Peers[0].NodeId);
        Assert.Null(s.Peers[1].NodeId);
    }

    [Theory]
    [InlineData("hotstandby.role = arbiter", "hotstandby.role", "'arbiter' is not one of data, witness")]
    [InlineData("hotstandby.heartbeat.interval = -200ms", "hotstandby.heartbeat.interval", "negative")]
    [InlineData("hotstandby.failback.stable-after = soon", "hotstandby.failback.stable-after", "'soon' cannot be read")]
    [InlineData("hotstandby.failover.mode = majority", "hotstandby.failover.mode", "not one of witness, two-node, off")]
    [InlineData("hotstandby.preferred-primary = maybe", "hotstandby.preferred-primary", "not on/off")]
    [InlineData("hotstandby.http.data-loop = sometimes", "hotstandby.http.data-loop", "not on/off")]
    [InlineData("akka.remote.dot-netty.tcp.maximum-frame-size = 128000b", "akka.remote.dot-netty.tcp.maximum-frame-size", "cannot carry a replication message")]
    [InlineData("hotstandby.replication.on-sync-timeout = wait", "hotstandby.replication.on-sync-timeout", "not one of block, degrade")]
    [InlineData("hotstandby.storage.fsync = never", "hotstandby.storage.fsync", "not one of always, batch")]
    [InlineData("hotstandby.kv.max-value-bytes = lots", "hotstandby.kv.max-value-bytes", "cannot be read")]
    [InlineData("hotstandby.replication.write-timeout = 100ms", "hotstandby.replication.write-timeout", "shorter than replication.sync-timeout")]
    public void Bad_values_name_the_key_and_the_problem(string line, string key, string problem)
    {
        // The override comes after the valid file so that it wins.
        var config = ConfigurationFactory.ParseString(line).WithFallback(ConfigurationFactory.ParseString(Valid));
        var e = Assert.Throws<SettingsException>(() => HotStandbySettingsFactory.Create(config));
        Assert.Equal(key, e.Key);
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void Duplicate_node_id_is_refused()
    {
        var config = ConfigurationFactory.ParseString("""
            hotstandby.peers = [
              { node-id = b, address = "akka.tcp://hotstandby@127.0.0.1:4072" }
              { node-id = b, address = "akka.tcp://hotstandby@127.0.0.1:4073" }
            ]
            """).WithFallback(ConfigurationFactory.ParseString(Valid));
        var e = Assert.Throws<SettingsException>(() => HotStandbySettingsFactory.Create(config));
        Assert.Equal("hotstandby.peers", e.Key);
        Assert.Contains("duplicate node id 'b'", e.Problem);
    }

    [Fact]
    public void Reference_conf_documents_every_key_the_factory_reads()
    {
        var reference = HotStandbySettingsFactory.Reference;
        foreach (var key in new[] { "node-id", "role", "preferred-primary", "peers", "data-dir", "http.hostname", "http.port",
                     "heartbeat.interval", "heartbeat.acceptable-pause", "failover.mode", "failover.lease", "failback.mode",
                     "failback.stable-after", "replication.mode", "hooks.on-promote", "hooks.on-demote", "hooks.on-fault", "hooks.timeout" })
            Assert.True(reference.HasPath("hotstandby." + key), key);
    }
}
