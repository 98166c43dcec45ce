using HotStandby.Core.Roles;

namespace HotStandby.Core.Protocol;

/// <summary>A decision of the core for the caller to carry out, in order. A <see cref="PersistState"/> must be durable before any later effect.</summary>
public interface ICoreEffect;

public sealed record PersistState(PersistentState State) : ICoreEffect;

public sealed record Broadcast(IPeerMessage Message) : ICoreEffect;

public sealed record SendTo(string NodeId, IPeerMessage Message) : ICoreEffect;

/// <summary>Send a heartbeat to every peer now rather than at the next interval (a new primary wants its lease quickly).</summary>
public sealed record SendHeartbeatNow : ICoreEffect
{
    public static readonly SendHeartbeatNow Instance = new();
}

public sealed record RoleChanged(RoleChange Change) : ICoreEffect;

/// <summary>The answer to an operator command.</summary>
public sealed record CommandResult(bool Accepted, string Message) : ICoreEffect;

/// <summary>Something an operator should see in the log that is not a role change.</summary>
public sealed record Notice(string Message) : ICoreEffect;
