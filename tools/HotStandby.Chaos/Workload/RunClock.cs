using System.Diagnostics;

namespace HotStandby.Chaos.Workload;

/// <summary>Milliseconds since the run started, shared by the schedule, the clients and the sampler.</summary>
public sealed class RunClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public long NowMs => (long)Stopwatch.GetElapsedTime(_start).TotalMilliseconds;
}
