using HotStandby.Core.Data;

namespace HotStandby.Actors.Protocol;

/// <summary>Replication traffic between the primary's sender and the standby's store; bound to the binary serializer.</summary>
public interface IReplicationMessage;

/// <summary>
/// Entries after (<paramref name="PrevEpoch"/>, <paramref name="PrevIndex"/>), from the primary of <paramref name="Epoch"/>.
/// <paramref name="LeaderCommit"/> is how far the standby may apply. <paramref name="Seq"/> is echoed in the ack.
/// </summary>
public sealed record AppendEntries(string From, long Epoch, long PrevEpoch, long PrevIndex, long LeaderCommit, long Seq,
    IReadOnlyList<LogEntry> Entries) : IReplicationMessage;

/// <summary>
/// On success <paramref name="MatchIndex"/> is durable on the standby and equal to the primary's log up to there;
/// on failure the primary resends from <paramref name="NextIndex"/> (or learns of a higher <paramref name="Epoch"/>).
/// </summary>
public sealed record AppendAck(string From, long Epoch, long Seq, bool Success, long MatchIndex, long NextIndex) : IReplicationMessage;

/// <summary>Part of the primary's snapshot file at (<paramref name="SnapshotEpoch"/>, <paramref name="SnapshotIndex"/>).</summary>
public sealed record SnapshotChunk(string From, long Epoch, long SnapshotEpoch, long SnapshotIndex, long Offset, byte[] Data, bool Last)
    : IReplicationMessage;

/// <summary>The standby holds the snapshot up to <paramref name="NextOffset"/>; <paramref name="Installed"/> after the last chunk.</summary>
public sealed record SnapshotChunkAck(string From, long Epoch, long SnapshotIndex, long NextOffset, bool Installed, bool Failed)
    : IReplicationMessage;
