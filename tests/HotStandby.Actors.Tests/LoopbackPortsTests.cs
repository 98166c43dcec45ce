using System.Net;
using System.Net.Sockets;
using Xunit;

namespace HotStandby.Actors.Tests;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void Reserved_ports_are_distinct_bindable_and_outside_the_ephemeral_range()
    {
        var ports = LoopbackPorts.Reserve(60);
        Assert.Equal(60, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 20_000, 32_767)); // an outgoing connection never takes one
        var listeners = ports.Select(p => new TcpListener(IPAddress.Loopback, p)).ToList();
        try
        {
            foreach (var listener in listeners) listener.Start(); // all free at once: none still held
        }
        finally
        {
            foreach (var listener in listeners) listener.Stop();
        }
    }

    [Fact]
    public void A_port_in_use_is_never_handed_out()
    {
        var taken = LoopbackPorts.Reserve(1)[0];
        var listener = new TcpListener(IPAddress.Loopback, taken);
        listener.Start();
        try
        {
            for (var i = 0; i < 20; i++) Assert.DoesNotContain(taken, LoopbackPorts.Reserve(200));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void Each_node_gets_its_own_remoting_and_http_port()
    {
        var ports = LoopbackPorts.ReserveForNodes(["a", "b", "w"]);
        Assert.Equal(["a", "b", "w"], ports.Keys.Order());
        Assert.Equal(6, ports.Values.SelectMany(p => new[] { p.Akka, p.Http }).Distinct().Count());
    }
}
