using HotStandby.Core.Roles;

namespace HotStandby.Core.Protocol;

/// <summary>A message between nodes. Every one carries its sender and the sender's epoch.</summary>
public interface IPeerMessage
{
    string From { get; }
    long Epoch { get; }
}

/// <summary>
/// Sent every heartbeat interval to every peer. <paramref name="SentAtMs"/> is the sender's own clock,
/// echoed back in the ack so that a primary's lease counts from when it sent, never from when a peer received.
/// <paramref name="Hears"/> names the peers the sender currently hears, so a node can tell a dead peer from a link
/// that only Akka's quarantine keeps closed. <paramref name="HttpUrl"/> is where the sender's HTTP API listens.
/// A primary lists in <paramref name="NotEligible"/> the standbys it has excused from sync replication: voters refuse them.
/// </summary>
public sealed record Heartbeat(
    string From,
    long Epoch,
    NodeRole Role,
    string? PrimaryId,
    LogPosition LastLog,
    long CommitIndex,
    bool PreferredPrimary,
    bool Eligible,
    IReadOnlyList<string> Hears,
    string? HttpUrl,
    long SentAtMs) : IPeerMessage
{
    public IReadOnlyList<string> NotEligible { get; init; } = Array.Empty<string>();

    /// <summary>
    /// The sender is a witness (configured role <c>witness</c>), whatever role it holds now: a witness that is still
    /// starting reports the role <c>starting</c>, and must never be taken for a standby. False is the default on
    /// purpose: the JSON serializer leaves default values out of the message.
    /// </summary>
    public bool FromWitness { get; init; }

    /// <summary>Structural equality, so that an unchanged heartbeat content is recognised as such.</summary>
    public bool Equals(Heartbeat? other) =>
        other is not null && From == other.From && Epoch == other.Epoch && Role == other.Role && PrimaryId == other.PrimaryId
        && LastLog == other.LastLog && CommitIndex == other.CommitIndex && PreferredPrimary == other.PreferredPrimary
        && Eligible == other.Eligible && HttpUrl == other.HttpUrl && SentAtMs == other.SentAtMs && Hears.SequenceEqual(other.Hears)
        && NotEligible.SequenceEqual(other.NotEligible) && FromWitness == other.FromWitness;

    public override int GetHashCode() => HashCode.Combine(From, Epoch, Role, PrimaryId, LastLog, CommitIndex, SentAtMs);
}

/// <summary>
/// The answer to a heartbeat. <paramref name="Accepted"/> is true when the receiver follows the sender as primary
/// of <paramref name="HeartbeatEpoch"/>; only such acks extend a primary's lease. <see cref="NotEligible"/> echoes the
/// standbys the receiver now refuses to vote for, so a primary knows the voters learned it.
/// </summary>
public sealed record HeartbeatAck(
    string From,
    long Epoch,
    long HeartbeatEpoch,
    long EchoSentAtMs,
    bool Accepted,
    LogPosition LastLog) : IPeerMessage
{
    public IReadOnlyList<string> NotEligible { get; init; } = Array.Empty<string>();
}

/// <summary>"Would you vote for me in <paramref name="Epoch"/>?" — asked before bumping the epoch, so an isolated node cannot inflate epochs.</summary>
public sealed record PreVoteRequest(string From, long Epoch, LogPosition LastLog) : IPeerMessage;

public sealed record PreVoteResponse(string From, long Epoch, bool Granted, string Reason) : IPeerMessage;

/// <summary>A real vote request; <paramref name="Transfer"/> is set only when the current primary handed over with <see cref="TimeoutNow"/>.</summary>
public sealed record VoteRequest(string From, long Epoch, LogPosition LastLog, bool Transfer) : IPeerMessage;

public sealed record VoteResponse(string From, long Epoch, bool Granted, string Reason) : IPeerMessage;

/// <summary>A primary that has stopped serving tells its chosen successor to stand for election at once.</summary>
public sealed record TimeoutNow(string From, long Epoch, string Reason) : IPeerMessage;
