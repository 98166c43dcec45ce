using HotStandby.Core.Roles;

namespace HotStandby.Actors.Protocol;

/// <summary>Asks the role supervisor for a <see cref="NodeStatusReport"/>.</summary>
public sealed record GetNodeStatus
{
    public static readonly GetNodeStatus Instance = new();
}

/// <summary>Operator switchover; answered with <see cref="HotStandby.Core.Protocol.CommandResult"/>.</summary>
public sealed record RequestSwitchover(string? Target);

/// <summary>The host is stopping; answered with <see cref="HotStandby.Core.Protocol.CommandResult"/>.</summary>
public sealed record RequestShutdownHandover
{
    public static readonly RequestShutdownHandover Instance = new();
}

/// <summary>A role change as published on the event stream and kept for <c>GET /events</c>.</summary>
public sealed record RoleEvent(string NodeId, DateTimeOffset At, RoleChange Change);

/// <summary>What the heartbeat actor knows of one peer's health.</summary>
/// <param name="Watched">remote DeathWatch is established on the peer's supervisor</param>
public sealed record PeerHealth(string NodeId, string Address, Reachability Reachability, double Phi, double? RttMs, long? LastHeartbeatMs, bool Watched);

public sealed record NodeStatusReport(
    CoreStatus Core,
    IReadOnlyList<PeerHealth> Health,
    IReadOnlyList<RoleEvent> Events,
    long NowMs,
    string Address,
    long Promotions)
{
    /// <summary>The store's latest progress and replication report (null on a witness).</summary>
    public StoreProgress? Store { get; init; }
}

/// <summary>Published when this incarnation should be replaced by a new actor system (same data, same core).</summary>
public sealed record IncarnationRestartRequested(string NodeId, string Reason);
