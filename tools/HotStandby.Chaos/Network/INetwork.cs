using HotStandby.Chaos.Faults;

namespace HotStandby.Chaos.Network;

/// <summary>Where the three nodes live and how packets between them can be disturbed.</summary>
internal interface INetwork : IDisposable
{
    /// <summary>One line for the report: namespaces, or loopback and why.</summary>
    string Description { get; }

    /// <summary>Partitions, loss and rate limits are possible (network namespaces); otherwise only process faults.</summary>
    bool SupportsNetworkFaults { get; }

    string Host(string node);

    int AkkaPort(string node);

    int HttpPort(string node);

    /// <summary>The program and leading arguments that start a command inside the node's network.</summary>
    (string File, IReadOnlyList<string> Prefix) Launcher(string node);

    void Apply(Fault fault);

    void Heal(Fault fault);

    /// <summary>Lifts every network fault, whatever the bookkeeping says.</summary>
    void HealAll();
}
