namespace HotStandby.Host.Node;

/// <summary>
/// Watches the garbage collector's pauses. A paused process sends no heartbeats and acknowledges no writes, so a pause
/// near the primary's lease can lapse it (writes answered 503) or make a peer suspect the node: each pause of a third
/// of the lease or more gets a warning line, and /metrics shows the longest one so far.
/// </summary>
public sealed class GcPauseWatch : IDisposable
{
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];
    private readonly Lock _lock = new();
    private readonly long[] _seen = new long[Kinds.Length];
    private readonly TimeSpan _lease;
    private readonly Action<string> _warn;
    private readonly Timer? _timer;

    /// <param name="pollEvery">how often the last collection of each kind is looked at; null: only when <see cref="Poll"/> is called</param>
    public GcPauseWatch(TimeSpan lease, Action<string> warn, TimeSpan? pollEvery)
    {
        _lease = lease;
        _warn = warn;
        for (var i = 0; i < Kinds.Length; i++) _seen[i] = GC.GetGCMemoryInfo(Kinds[i]).Index; // report what comes from now on
        if (pollEvery is { } every) _timer = new Timer(_ => Poll(), null, every, every);
    }

    /// <summary>The watch of this process's node, for /metrics (null until the node starts).</summary>
    public static GcPauseWatch? OfProcess { get; set; }

    public double LongestPauseMs { get; private set; }

    public long LongPauses { get; private set; }

    /// <summary>Whether a pause is worth a warning line: a third of the lease or more.</summary>
    public static bool WorthAWarning(double pauseMs, TimeSpan lease) => pauseMs >= lease.TotalMilliseconds / 3;

    /// <summary>Looks at the last collection of each kind; reports a new one's pause.</summary>
    public void Poll()
    {
        lock (_lock)
        {
            for (var i = 0; i < Kinds.Length; i++)
            {
                var info = GC.GetGCMemoryInfo(Kinds[i]);
                if (info.Index == _seen[i]) continue;
                _seen[i] = info.Index;
                var pauseMs = 0.0;
                foreach (var pause in info.PauseDurations) pauseMs += pause.TotalMilliseconds;
                LongestPauseMs = Math.Max(LongestPauseMs, pauseMs);
                if (!WorthAWarning(pauseMs, _lease)) continue;
                LongPauses++;
                _warn($"garbage collection {info.Index} (gen {info.Generation}, {Kinds[i]}) paused the process for {pauseMs:F0} ms, "
                    + $"a third of the {_lease.TotalMilliseconds:F0} ms lease or more; heap {info.HeapSizeBytes / (1 << 20)} MiB");
            }
        }
    }

    public void Dispose() => _timer?.Dispose();
}
