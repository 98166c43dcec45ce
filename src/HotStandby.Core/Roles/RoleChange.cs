namespace HotStandby.Core.Roles;

/// <summary>One role transition with the evidence it was taken on; <paramref name="AtMs"/> is the node's monotonic clock.</summary>
public sealed record RoleChange(long AtMs, NodeRole From, NodeRole To, long Epoch, string Reason)
{
    /// <summary>The one-line form operators grep for: <c>[standby -> primary] epoch 7: reason</c>.</summary>
    public string ToLogLine() => $"[{From.ToWire()} -> {To.ToWire()}] epoch {Epoch}: {Reason}";
}
