namespace HotStandby.Chaos.Faults;

public enum FaultKind
{
    /// <summary>kill -9 of a data node, started again at the heal.</summary>
    Kill,
    /// <summary>SIGSTOP, SIGCONT at the heal: a frozen process, as in a long GC pause.</summary>
    Pause,
    /// <summary>Packets dropped both ways on one link.</summary>
    Partition,
    /// <summary>Packets dropped in one direction of one link only.</summary>
    OneWayPartition,
    /// <summary>Every link of one node cut both ways.</summary>
    Isolate,
    /// <summary>A share of the packets on one link dropped at random, both ways.</summary>
    Loss,
    /// <summary>A node's outgoing traffic squeezed through a token bucket (tc tbf).</summary>
    RateLimit,
    /// <summary>kill -9 of the witness, started again at the heal.</summary>
    WitnessDown,
}

/// <summary>One direction of a link between two nodes: packets from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record Link(string From, string To)
{
    public override string ToString() => $"{From}->{To}";
}

/// <summary>A planned fault: what, on which node or links, when (ms from the run's start) and for how long.</summary>
public sealed record Fault(int Id, FaultKind Kind, long AtMs, long DurationMs, string Node, IReadOnlyList<Link> Links,
    double LossProbability = 0, int RateKbit = 0)
{
    public long HealAtMs => AtMs + DurationMs;

    public bool IsNetwork => Kind is FaultKind.Partition or FaultKind.OneWayPartition or FaultKind.Isolate or FaultKind.Loss or FaultKind.RateLimit;

    /// <summary>What the fault holds exclusively while it lasts: a process, a node's qdisc, or a link direction.</summary>
    public IEnumerable<string> Claims => Kind switch
    {
        FaultKind.Kill or FaultKind.Pause or FaultKind.WitnessDown => [$"process:{Node}"],
        FaultKind.RateLimit => [$"qdisc:{Node}"],
        _ => Links.Select(l => $"link:{l}"),
    };

    public string Describe() => Kind switch
    {
        FaultKind.Kill => $"kill -9 {Node}, restart after {DurationMs} ms",
        FaultKind.Pause => $"SIGSTOP {Node} for {DurationMs} ms",
        FaultKind.WitnessDown => $"witness {Node} down (kill -9) for {DurationMs} ms",
        FaultKind.Loss => $"drop {LossProbability:P0} of packets on {string.Join(", ", Links)} for {DurationMs} ms",
        FaultKind.RateLimit => $"rate-limit {Node}'s outgoing traffic to {RateKbit} kbit/s for {DurationMs} ms",
        FaultKind.Isolate => $"isolate {Node} ({string.Join(", ", Links)}) for {DurationMs} ms",
        _ => $"{(Kind == FaultKind.OneWayPartition ? "one-way " : "")}partition {string.Join(", ", Links)} for {DurationMs} ms",
    };
}
