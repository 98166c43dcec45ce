using HotStandby.Core.Protocol;

namespace HotStandby.Core.Roles;

/// <summary>
/// Degraded sync replication: a primary excuses a standby that stopped confirming writes, and may commit alone only
/// once a majority of voters has echoed that they will refuse to elect it. Voters keep the list the primary sent
/// until a primary sends another, so the excused standby cannot be promoted with acknowledged writes missing.
/// </summary>
public sealed partial class NodeCore
{
    /// <summary>Stands for "every data node but the primary": used while the primary does not know its standby's id.</summary>
    public const string AnyStandby = "*";

    private readonly HashSet<string> _notEligible = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _ackedNotEligible = new(StringComparer.Ordinal);
    private string? _notEligibleFrom;

    /// <summary>True when this primary may commit without <paramref name="standbyId"/>: the voters know it is not eligible.</summary>
    public bool StandbyExcused(string standbyId)
    {
        if (_role is not (NodeRole.Primary or NodeRole.Demoting) || !_notEligible.Contains(standbyId)) return false;
        if (!UsesLease) return true;
        // Only voters that could elect the standby count: its own echo, or another data node's for "any standby", does not.
        var echoes = _ackedNotEligible.Count(a => a.Value.Contains(standbyId) && a.Key != standbyId
            && !(standbyId == AnyStandby && _peers.TryGetValue(a.Key, out var p) && p.IsDataNode));
        return echoes >= _s.Majority - 1;
    }

    public IReadOnlyCollection<string> NotEligible => _notEligible;

    private void OnStandbyEligibility(StandbyEligibility e, long nowMs)
    {
        if (_role is not (NodeRole.Primary or NodeRole.Demoting) || e.NodeId == _s.NodeId) return;
        var changed = e.Eligible ? _notEligible.Remove(e.NodeId) : _notEligible.Add(e.NodeId);
        if (!changed) return;
        _notEligibleFrom = _notEligible.Count == 0 ? null : _s.NodeId; // its own list never excludes the primary itself
        _out.Add(new Notice(e.Eligible
            ? $"standby {e.NodeId} is eligible for promotion again: {e.Reason}"
            : $"standby {e.NodeId} marked not eligible for promotion: {e.Reason}"));
        _out.Add(SendHeartbeatNow.Instance);
    }

    /// <summary>A voter adopts the list of the primary it follows.</summary>
    private void LearnNotEligible(Heartbeat hb)
    {
        var from = hb.NotEligible.Count == 0 ? null : hb.From;
        if (_notEligible.SetEquals(hb.NotEligible) && _notEligibleFrom == from) return;
        _notEligible.Clear();
        _notEligible.UnionWith(hb.NotEligible);
        _notEligibleFrom = from;
        // On disk before the ack that echoes it: a restarted voter must still refuse an excused standby.
        Persist(_state with { NotEligible = _notEligible.Order(StringComparer.Ordinal).ToList(), NotEligibleFrom = from });
        _out.Add(new Notice(_notEligible.Count == 0
            ? $"primary {hb.From} lists every standby as eligible"
            : $"primary {hb.From} lists {string.Join(", ", _notEligible.Order())} as not eligible for promotion"));
    }

    private void RecordAckEchoes(HeartbeatAck ack) => _ackedNotEligible[ack.From] = ack.NotEligible;

    private string? NotEligibleReason(string candidate) =>
        IsNotEligible(candidate)
            ? $"{candidate} was marked not eligible by primary {_lastKnownPrimary ?? "?"} (sync replication timed out; it may lack acknowledged writes)"
            : null;

    /// <summary>Named, or covered by <see cref="AnyStandby"/> (which never covers the primary that sent the list).</summary>
    private bool IsNotEligible(string nodeId) =>
        _notEligible.Contains(nodeId)
        || (_notEligible.Contains(AnyStandby) && nodeId != _notEligibleFrom && nodeId != _lastKnownPrimary && nodeId != _primaryId);

    private bool SelfNotEligible => _role is not (NodeRole.Primary or NodeRole.Demoting) && IsNotEligible(_s.NodeId);
}
