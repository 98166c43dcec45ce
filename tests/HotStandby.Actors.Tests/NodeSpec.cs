using Akka.TestKit.Xunit2;
using Xunit;

namespace HotStandby.Actors.Tests;

/// <summary>Shared waits for specs that run real nodes: generous bounds, polled, never slept.</summary>
public abstract class NodeSpec() : TestKit("akka.loglevel = WARNING")
{
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>Waits until <paramref name="id"/> is the only node that may acknowledge writes.</summary>
    protected Task AwaitServing(TestNodes nodes, string id) =>
        AwaitAssertAsync(async () => Assert.Equal([id], await nodes.Serving()), Generous, TimeSpan.FromMilliseconds(50));
}
