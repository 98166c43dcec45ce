namespace HotStandby.Chaos.Faults;

/// <summary>
/// Turns a seed into a fault schedule: the same seed and options give the same schedule, so a failing run can be
/// replayed. Faults may overlap (at most <see cref="MaxConcurrent"/> at once) but never on the same process, qdisc or
/// link direction, and every fault heals before the run's end.
/// </summary>
public static class FaultPlanner
{
    public const int MaxConcurrent = 2;
    public const long WarmUpMs = 3_000;

    public static readonly string[] DataNodes = ["a", "b"];
    public const string Witness = "w";
    public static readonly string[] AllNodes = ["a", "b", Witness];

    public static IReadOnlyList<FaultKind> Kinds(bool networkFaults) => networkFaults
        ? Enum.GetValues<FaultKind>()
        : [FaultKind.Kill, FaultKind.Pause, FaultKind.WitnessDown];

    public static IReadOnlyList<Fault> Plan(int seed, long durationMs, bool networkFaults)
    {
        var random = new Random(seed);
        var kinds = Kinds(networkFaults);
        var faults = new List<Fault>();
        var at = WarmUpMs;
        while (at < durationMs - 1_000)
        {
            var kind = kinds[random.Next(kinds.Count)];
            var candidate = Make(faults.Count + 1, kind, at, random);
            var duration = Math.Min(candidate.DurationMs, durationMs - at);
            candidate = candidate with { DurationMs = duration };
            if (duration >= 100 && Fits(candidate, faults)) faults.Add(candidate);
            at += random.Next(500, 3_000);
        }
        return faults;
    }

    private static bool Fits(Fault candidate, IEnumerable<Fault> planned)
    {
        var overlapping = planned.Where(f => f.AtMs < candidate.HealAtMs && candidate.AtMs < f.HealAtMs).ToList();
        if (overlapping.Count >= MaxConcurrent) return false;
        var claims = candidate.Claims.ToHashSet();
        return overlapping.All(f => !f.Claims.Any(claims.Contains));
    }

    private static Fault Make(int id, FaultKind kind, long at, Random random)
    {
        string Pick(string[] from) => from[random.Next(from.Length)];
        (string, string) Pair()
        {
            var x = Pick(AllNodes);
            return (x, Pick(AllNodes.Where(n => n != x).ToArray()));
        }
        switch (kind)
        {
            case FaultKind.Kill:
                return new Fault(id, kind, at, random.Next(200, 3_000), Pick(DataNodes), []);
            case FaultKind.Pause:
                return new Fault(id, kind, at, random.Next(100, 2_000), Pick(AllNodes), []);
            case FaultKind.WitnessDown:
                return new Fault(id, kind, at, random.Next(500, 5_000), Witness, []);
            case FaultKind.Partition:
            {
                var (x, y) = Pair();
                return new Fault(id, kind, at, random.Next(300, 5_000), x, [new Link(x, y), new Link(y, x)]);
            }
            case FaultKind.OneWayPartition:
            {
                var (x, y) = Pair();
                return new Fault(id, kind, at, random.Next(300, 5_000), x, [new Link(x, y)]);
            }
            case FaultKind.Isolate:
            {
                var x = Pick(AllNodes);
                var links = AllNodes.Where(n => n != x).SelectMany(n => new[] { new Link(x, n), new Link(n, x) }).ToList();
                return new Fault(id, kind, at, random.Next(300, 5_000), x, links);
            }
            case FaultKind.Loss:
            {
                var (x, y) = Pair();
                var p = Math.Round(0.05 + random.NextDouble() * 0.45, 2);
                return new Fault(id, kind, at, random.Next(500, 6_000), x, [new Link(x, y), new Link(y, x)], LossProbability: p);
            }
            case FaultKind.RateLimit:
                return new Fault(id, kind, at, random.Next(500, 5_000), Pick(AllNodes), [], RateKbit: random.Next(1, 9) * 64);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}
