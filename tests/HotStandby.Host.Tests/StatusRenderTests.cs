using System.Text.Json;
using HotStandby.Host.Cli;
using Xunit;

namespace HotStandby.Host.Tests;

public sealed class StatusRenderTests
{
    private const string Document = """
        { "nodeId": "b", "role": "primary", "epoch": 7, "primaryId": "b", "appliedIndex": 0,
          "replication": { "mode": "sync", "inSync": false, "lagEntries": null },
          "failover": { "mode": "witness" }, "failback": { "mode": "manual", "pending": "a is healthy and caught up for 12000 ms; failback is manual" },
          "peers": [
            { "nodeId": "a", "role": "standby", "epoch": 7, "reachability": "reachable", "lastHeartbeatMsAgo": 12, "logIndex": 0 },
            { "nodeId": null, "address": "akka.tcp://hotstandby@10.0.0.3:4073", "reachability": "unknown", "lastHeartbeatMsAgo": null }
          ],
          "lastRoleChange": { "at": "2026-11-24T01:59:58Z", "from": "standby", "to": "primary", "epoch": 7, "reason": "primary a unreachable for 412 ms, w voted" } }
        """;

    [Fact]
    public void Pair_at_a_glance_shows_every_node_the_pending_failback_and_the_last_reason()
    {
        var text = ClientCommands.Render(JsonDocument.Parse(Document).RootElement);
        var lines = text.Split('\n');
        Assert.Matches(@"^b\s+primary\s+7\s+\(self\)", lines[1]);
        Assert.Matches(@"^a\s+standby\s+7\s+reachable\s+0\s+12 ms", lines[2]);
        Assert.Contains("akka.tcp://hotstandby@10.0.0.3:4073", lines[3]);
        Assert.Contains("never", lines[3]);
        Assert.Contains("failback pending: a is healthy", text);
        Assert.Contains("[standby -> primary] epoch 7: primary a unreachable for 412 ms, w voted", text);
        Assert.DoesNotContain("last refusal", text);
    }

    [Fact]
    public void A_standby_that_refuses_its_primary_says_why()
    {
        var standby = Document.Replace("""
            "replication": { "mode": "sync", "inSync": false, "lagEntries": null },
            """, """
            "replication": { "mode": "sync", "inSync": false, "lagEntries": null,
              "lastRefusal": "refused entries from a (epoch 8): epoch 8 is not yet recorded here (at 7) (first 01:02:03.004, last 01:02:09.010 UTC)" },
            """);
        Assert.NotEqual(Document, standby);
        var text = ClientCommands.Render(JsonDocument.Parse(standby).RootElement);
        Assert.Contains("last refusal: refused entries from a (epoch 8): epoch 8 is not yet recorded here (at 7)", text);
    }
}
