using HotStandby.Chaos.Faults;
using HotStandby.Actors;

namespace HotStandby.Chaos.Network;

/// <summary>All nodes on 127.0.0.1 with free ports: process faults only (used where namespaces are not allowed).</summary>
internal sealed class LoopbackNetwork : INetwork
{
    private readonly Dictionary<string, (int Akka, int Http)> _ports;

    public LoopbackNetwork(string why)
    {
        Description = $"loopback 127.0.0.1 (network namespaces unavailable: {why}); partition, one-way partition, isolate, loss and rate-limit faults are SKIPPED";
        _ports = LoopbackPorts.ReserveForNodes(FaultPlanner.AllNodes.ToList());
    }

    public string Description { get; }

    public bool SupportsNetworkFaults => false;

    public string Host(string node) => "127.0.0.1";

    public int AkkaPort(string node) => _ports[node].Akka;

    public int HttpPort(string node) => _ports[node].Http;

    public (string File, IReadOnlyList<string> Prefix) Launcher(string node) => ("dotnet", []);

    public void Apply(Fault fault) => throw new NotSupportedException($"{fault.Kind} needs network namespaces");

    public void Heal(Fault fault) { }

    public void HealAll() { }

    public void Dispose() { }
}
