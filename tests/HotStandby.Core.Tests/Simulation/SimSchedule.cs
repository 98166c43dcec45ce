namespace HotStandby.Core.Tests.Simulation;

/// <summary>One fault and when it starts and ends, in virtual milliseconds.</summary>
public abstract record SimFault(long AtMs, long UntilMs)
{
    public sealed record Crash(long AtMs, long UntilMs, int Node) : SimFault(AtMs, UntilMs);
    public sealed record Pause(long AtMs, long UntilMs, int Node) : SimFault(AtMs, UntilMs);
    /// <summary>Drops every message on the listed directed links (from, to); one-way when only one direction is listed.</summary>
    public sealed record Partition(long AtMs, long UntilMs, (int From, int To)[] Links) : SimFault(AtMs, UntilMs);
    public sealed record Loss(long AtMs, long UntilMs, double Probability) : SimFault(AtMs, UntilMs);
    /// <summary>An operator asks <paramref name="Node"/> for a switchover (to <paramref name="Target"/>, or "the best").</summary>
    public sealed record Switchover(long AtMs, int Node, int? Target) : SimFault(AtMs, AtMs);

    public string Describe() => this switch
    {
        Crash c => $"{c.AtMs,6} ms crash {SimCluster.Names[c.Node]}, restart at {c.UntilMs}",
        Pause p => $"{p.AtMs,6} ms pause {SimCluster.Names[p.Node]} until {p.UntilMs}",
        Partition p => $"{p.AtMs,6} ms cut {string.Join(" ", p.Links.Select(l => $"{SimCluster.Names[l.From]}->{SimCluster.Names[l.To]}"))} until {p.UntilMs}",
        Loss l => $"{l.AtMs,6} ms drop {l.Probability:P0} of messages until {l.UntilMs}",
        Switchover o => $"{o.AtMs,6} ms operator asks {SimCluster.Names[o.Node]} to switch over to {(o.Target is { } t ? SimCluster.Names[t] : "any")}",
        _ => GetType().Name,
    };
}

/// <summary>A random fault schedule, reproducible from its seed.</summary>
public sealed record SimSchedule(int Seed, IReadOnlyList<SimFault> Faults, long FaultsEndMs)
{
    public static SimSchedule Generate(int seed, long windowMs = 6000)
    {
        var random = new Random(seed);
        var faults = new List<SimFault>();
        var count = random.Next(1, 7);
        for (var i = 0; i < count; i++)
        {
            var at = random.NextInt64(500, windowMs - 200);
            // Short faults (a quick restart, a brief pause) land inside one lease; long ones outlast elections.
            var until = Math.Min(windowMs, at + (random.Next(2) == 0 ? random.NextInt64(10, 300) : random.NextInt64(300, 2500)));
            faults.Add(random.Next(6) switch
            {
                0 => new SimFault.Crash(at, until, random.Next(3)),
                1 => new SimFault.Pause(at, until, random.Next(3)),
                2 => new SimFault.Loss(at, until, random.NextDouble() * 0.5),
                3 => new SimFault.Switchover(at, random.Next(2), random.Next(3) is var t && t < 2 ? t : null),
                _ => new SimFault.Partition(at, until, RandomLinks(random)),
            });
        }
        return new SimSchedule(seed, faults.OrderBy(f => f.AtMs).ToList(), windowMs);
    }

    private static (int, int)[] RandomLinks(Random random)
    {
        var all = new List<(int, int)>();
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
                if (a != b) all.Add((a, b));
        // Half the time isolate one node both ways; otherwise any subset of directed links.
        if (random.Next(2) == 0)
        {
            var node = random.Next(3);
            return all.Where(l => l.Item1 == node || l.Item2 == node).ToArray();
        }
        var subset = all.Where(_ => random.Next(3) == 0).ToArray();
        return subset.Length > 0 ? subset : [all[random.Next(all.Count)]];
    }

    public override string ToString() => $"seed {Seed}:\n  " + string.Join("\n  ", Faults.Select(f => f.Describe()));
}
