namespace HotStandby.Core.Roles;

/// <summary>The role a node holds. Only <see cref="Primary"/> may acknowledge writes, and only while its lease holds.</summary>
public enum NodeRole
{
    Starting,
    Standby,
    Primary,
    Demoting,
    Faulted,
    Witness,
}

public enum FailoverMode
{
    /// <summary>Promotion needs a majority of {A, B, witness}.</summary>
    Witness,
    /// <summary>Availability first: a standby promotes on peer loss without votes (like Pacemaker's two_node).</summary>
    TwoNode,
    /// <summary>Never promote by itself; only the first bootstrap and operator switchovers change the primary.</summary>
    Off,
}

public enum FailbackMode
{
    Auto,
    Manual,
    Off,
}

public enum Reachability
{
    Unknown,
    Reachable,
    Suspect,
    Unreachable,
}

public static class RoleNames
{
    /// <summary>The lower-case names used on the wire to operators (status JSON, log lines).</summary>
    public static string ToWire(this NodeRole role) => role switch
    {
        NodeRole.Starting => "starting",
        NodeRole.Standby => "standby",
        NodeRole.Primary => "primary",
        NodeRole.Demoting => "demoting",
        NodeRole.Faulted => "faulted",
        NodeRole.Witness => "witness",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    public static string ToWire(this Reachability r) => r.ToString().ToLowerInvariant();
}
