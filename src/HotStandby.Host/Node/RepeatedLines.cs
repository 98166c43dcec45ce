namespace HotStandby.Host.Node;

/// <summary>
/// Akka's remoting logs the same warning each time it retries a peer that is down: with the fast profile, two lines a
/// second per absent peer, for as long as it is away. The first copy is printed; copies within <paramref name="window"/>
/// of a printed one are only counted, and the first copy after the window is printed with that count. Not thread-safe.
/// </summary>
public sealed class RepeatedLines(TimeSpan window, int capacity = 256)
{
    private readonly Dictionary<string, (DateTime PrintedAt, int Dropped)> _seen = new(StringComparer.Ordinal);

    /// <returns>null to drop the line, else what to print: the line, with the number of copies dropped since it last printed</returns>
    public string? Admit(string line, DateTime now)
    {
        if (_seen.TryGetValue(line, out var seen) && now - seen.PrintedAt < window)
        {
            _seen[line] = seen with { Dropped = seen.Dropped + 1 };
            return null;
        }
        if (_seen.Count >= capacity) Forget(now);
        _seen[line] = (now, 0);
        return seen.Dropped == 0 ? line
            : $"{line} [{seen.Dropped} more like this since {seen.PrintedAt:HH:mm:ss}Z, not shown]";
    }

    /// <summary>Drops lines last printed a window ago or more (their counts with them); all of them if that is not enough.</summary>
    private void Forget(DateTime now)
    {
        foreach (var (line, seen) in _seen.ToList())
            if (now - seen.PrintedAt >= window) _seen.Remove(line);
        if (_seen.Count >= capacity) _seen.Clear();
    }
}
