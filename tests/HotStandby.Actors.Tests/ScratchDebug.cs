using Akka.TestKit.Xunit2;
using Xunit;
using Xunit.Abstractions;

namespace HotStandby.Actors.Tests;

public sealed class ScratchDebug() : TestKit("akka.loglevel = WARNING")
{
    [Fact]
    public async Task Dump()
    {
        await using var nodes = TestNodes.Trio();
        nodes.StartAll();
        await Task.Delay(3000);
        foreach (var id in new[] { "a", "b", "w" })
        {
            var s = await nodes.Status(id);
            File.AppendAllText("/tmp/scratch.txt", System.Text.Json.JsonSerializer.Serialize(s) + "\n");
        }
    }
}
