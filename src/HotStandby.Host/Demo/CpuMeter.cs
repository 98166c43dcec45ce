namespace HotStandby.Host.Demo;

/// <summary>
/// CPU time each node process and this (client) process used over a measured window, from /proc: printed per
/// acknowledged write, it says where a saturated machine's cores went, which the throughput alone does not.
/// </summary>
public sealed class CpuMeter(LocalCluster cluster, string primary)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private Dictionary<string, double>? _start;
    private Dictionary<string, double>? _end;

    public void Start() => _start = Sample();

    public void Stop() => _end = Sample();

    /// <returns>e.g. "a (primary) 52 us, b 27 us, w 4 us, clients 11 us", or why there is no figure</returns>
    public string PerWrite(long writes)
    {
        if (_start is null || _end is null || writes == 0) return "not measured";
        var parts = _end.Keys.Where(_start.ContainsKey)
            .Select(k => $"{k}{(k == primary ? " (primary)" : "")} {(_end[k] - _start[k]) / writes * 1e6:F0} us");
        return string.Join(", ", parts);
    }

    private Dictionary<string, double> Sample()
    {
        var seconds = new Dictionary<string, double>();
        foreach (var id in LocalCluster.Ids)
            if (cluster.Pid(id) is { } pid && CpuSeconds(pid) is { } s) seconds[id] = s;
        if (CpuSeconds(Environment.ProcessId) is { } own) seconds["clients"] = own;
        return seconds;
    }

    /// <summary>User + system time of a process (utime and stime, fields 14 and 15 of /proc/PID/stat), or null off Linux.</summary>
    private static double? CpuSeconds(int pid) =>
        ProcStat.Read(pid) is { } f
            ? (long.Parse(ProcStat.Field(f, 14)) + long.Parse(ProcStat.Field(f, 15))) / TicksPerSecond
            : null;
}
