using HotStandby.Core.Protocol;

namespace HotStandby.Actors.Protocol;

/// <summary>Supervisor → heartbeat actor: what to say in heartbeats from now on (the send time is filled in per send).</summary>
public sealed record UpdateHeartbeat(Heartbeat Template, bool SendNow);

/// <summary>Heartbeat actor → supervisor: the latest health of every peer, once per interval.</summary>
public sealed record PeerHealthReport(IReadOnlyList<PeerHealth> Peers);
