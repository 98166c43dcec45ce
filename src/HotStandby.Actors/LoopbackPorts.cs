using System.Net;
using System.Net.Sockets;

namespace HotStandby.Actors;

/// <summary>
/// Picks loopback ports for nodes started soon after (tests, the demo, the benchmarks). Port 0 cannot be used there:
/// each node must know its peers' ports before they start.
/// </summary>
public static class LoopbackPorts
{
    // Below Linux's ephemeral range (32768-60999): an outgoing connection never takes one of these between the pick
    // and the node's bind, and two picks in a row never return the same port (both happened with port-0 picks).
    private const int First = 20_000, Last = 32_767;

    /// <returns><paramref name="count"/> distinct ports, each free at the moment of the call</returns>
    public static int[] Reserve(int count)
    {
        var held = new List<TcpListener>();
        try
        {
            for (var attempt = 0; held.Count < count; attempt++)
            {
                if (attempt >= 1000) throw new InvalidOperationException($"no {count} free loopback ports in {First}-{Last}");
                var listener = new TcpListener(IPAddress.Loopback, Random.Shared.Next(First, Last + 1));
                try
                {
                    listener.Start();
                    held.Add(listener);
                }
                catch (SocketException)
                {
                    // in use: try another
                }
            }
            return held.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in held) listener.Stop();
        }
    }

    /// <returns>a remoting port and an HTTP port for each node, all distinct</returns>
    public static Dictionary<string, (int Akka, int Http)> ReserveForNodes(IReadOnlyList<string> nodes)
    {
        var ports = Reserve(2 * nodes.Count);
        return nodes.Select((node, i) => (node, i)).ToDictionary(x => x.node, x => (ports[2 * x.i], ports[2 * x.i + 1]));
    }
}
