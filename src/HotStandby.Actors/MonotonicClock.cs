using System.Diagnostics;

namespace HotStandby.Actors;

/// <summary>The only clock the node reads: monotonic milliseconds, immune to wall-clock steps.</summary>
public interface IMonotonicClock
{
    long NowMs { get; }
}

public sealed class MonotonicClock : IMonotonicClock
{
    public static readonly MonotonicClock Instance = new();

    public long NowMs => Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency;
}
