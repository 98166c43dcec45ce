namespace HotStandby.Core.Protocol;

/// <summary>Something other than a peer message that the core reacts to.</summary>
public interface ICoreCommand;

/// <summary>The periodic clock tick; elections, lease expiry and failback are evaluated here.</summary>
public sealed record Tick : ICoreCommand
{
    public static readonly Tick Instance = new();
}

/// <summary>An operator's planned hand-over; <paramref name="Target"/> null means "the best standby".</summary>
public sealed record SwitchoverCommand(string? Target, string Reason) : ICoreCommand;

/// <summary>The host is stopping: hand the primary role to a healthy standby first if there is one.</summary>
public sealed record ShutdownRequested : ICoreCommand
{
    public static readonly ShutdownRequested Instance = new();
}

/// <summary>Durable storage cannot be trusted any more: fence the node.</summary>
public sealed record StorageFailed(string Reason) : ICoreCommand;

/// <summary>A hook or another part of the node failed in a way that must fence it.</summary>
public sealed record FaultRaised(string Reason) : ICoreCommand;

/// <summary>Remote DeathWatch reported the peer's supervisor terminated: a second, independent signal.</summary>
public sealed record PeerTerminated(string NodeId) : ICoreCommand;

/// <summary>
/// The primary's store judged a standby's eligibility (sync timed out → not eligible; caught up → eligible again).
/// See <see cref="Replication.SyncPolicy"/>.
/// </summary>
public sealed record StandbyEligibility(string NodeId, bool Eligible, string Reason) : ICoreCommand;
