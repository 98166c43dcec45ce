namespace HotStandby.Core.FailureDetection;

/// <summary>
/// Phi-accrual failure detector (Hayashibara et al.), as Akka's: phi grows with the time since the last heartbeat
/// relative to the observed distribution of intervals. The clock is the caller's: every call takes <c>nowMs</c>.
/// </summary>
public sealed class PhiAccrualFailureDetector
{
    private readonly int _maxSampleSize;
    private readonly double _minStdDeviationMs;
    private readonly double _acceptablePauseMs;
    private readonly Queue<double> _intervals = new();
    private double _sum;
    private double _sumOfSquares;
    private long? _lastHeartbeatMs;

    public PhiAccrualFailureDetector(
        double firstHeartbeatEstimateMs,
        double acceptablePauseMs,
        double minStdDeviationMs,
        int maxSampleSize = 200)
    {
        if (firstHeartbeatEstimateMs <= 0) throw new ArgumentOutOfRangeException(nameof(firstHeartbeatEstimateMs));
        if (minStdDeviationMs <= 0) throw new ArgumentOutOfRangeException(nameof(minStdDeviationMs));
        if (maxSampleSize < 1) throw new ArgumentOutOfRangeException(nameof(maxSampleSize));
        _maxSampleSize = maxSampleSize;
        _minStdDeviationMs = minStdDeviationMs;
        _acceptablePauseMs = acceptablePauseMs;
        // Seed with a plausible distribution so that the first real heartbeats are not judged against nothing.
        var stdDev = firstHeartbeatEstimateMs / 4;
        Add(firstHeartbeatEstimateMs - stdDev);
        Add(firstHeartbeatEstimateMs + stdDev);
    }

    public bool IsMonitoring => _lastHeartbeatMs.HasValue;

    public long? LastHeartbeatMs => _lastHeartbeatMs;

    public void Heartbeat(long nowMs)
    {
        if (_lastHeartbeatMs is { } last && nowMs >= last)
            Add(nowMs - last);
        _lastHeartbeatMs = nowMs;
    }

    /// <summary>0 before the first heartbeat (nothing to suspect yet); otherwise the suspicion level.</summary>
    public double Phi(long nowMs)
    {
        if (_lastHeartbeatMs is not { } last) return 0.0;
        var sinceLast = Math.Max(0, nowMs - last);
        var mean = _sum / _intervals.Count + _acceptablePauseMs;
        var variance = _sumOfSquares / _intervals.Count - (_sum / _intervals.Count) * (_sum / _intervals.Count);
        var stdDev = Math.Max(Math.Sqrt(Math.Max(variance, 0)), _minStdDeviationMs);
        return ComputePhi(sinceLast, mean, stdDev);
    }

    /// <summary>Logistic approximation of the normal CDF, the same one Akka uses; capped instead of reaching infinity.</summary>
    internal static double ComputePhi(double sinceLastMs, double meanMs, double stdDevMs)
    {
        var y = (sinceLastMs - meanMs) / stdDevMs;
        var e = Math.Exp(-y * (1.5976 + 0.070566 * y * y));
        var phi = sinceLastMs > meanMs ? -Math.Log10(e / (1.0 + e)) : -Math.Log10(1.0 - 1.0 / (1.0 + e));
        return double.IsFinite(phi) ? Math.Min(phi, 1000) : 1000;
    }

    private void Add(double intervalMs)
    {
        if (_intervals.Count >= _maxSampleSize)
        {
            var dropped = _intervals.Dequeue();
            _sum -= dropped;
            _sumOfSquares -= dropped * dropped;
        }
        _intervals.Enqueue(intervalMs);
        _sum += intervalMs;
        _sumOfSquares += intervalMs * intervalMs;
    }
}
