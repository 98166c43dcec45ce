using HotStandby.Core.Roles;

namespace HotStandby.Core.FailureDetection;

/// <summary>
/// Combines the phi detector with remote DeathWatch: a peer is unreachable when phi passes the threshold or when
/// DeathWatch reported its supervisor terminated and no heartbeat arrived since.
/// </summary>
public sealed class PeerReachability
{
    private readonly PhiAccrualFailureDetector _detector;
    private readonly double _suspectPhi;
    private readonly double _phiThreshold;
    private long? _terminatedAtMs;

    public PeerReachability(PhiAccrualFailureDetector detector, double suspectPhi, double phiThreshold)
    {
        _detector = detector;
        _suspectPhi = suspectPhi;
        _phiThreshold = phiThreshold;
    }

    public void Heartbeat(long nowMs)
    {
        _detector.Heartbeat(nowMs);
        _terminatedAtMs = null;
    }

    public void Terminated(long nowMs) => _terminatedAtMs = nowMs;

    public bool TerminatedByDeathWatch => _terminatedAtMs.HasValue;

    public double Phi(long nowMs) => _detector.Phi(nowMs);

    public long? LastHeartbeatMs => _detector.LastHeartbeatMs;

    public Reachability Evaluate(long nowMs)
    {
        if (_terminatedAtMs.HasValue) return Reachability.Unreachable;
        if (!_detector.IsMonitoring) return Reachability.Unknown;
        var phi = _detector.Phi(nowMs);
        if (phi >= _phiThreshold) return Reachability.Unreachable;
        return phi >= _suspectPhi ? Reachability.Suspect : Reachability.Reachable;
    }
}
