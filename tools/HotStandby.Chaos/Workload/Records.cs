namespace HotStandby.Chaos.Workload;

public enum OpKind { Write, Read }

/// <summary>How an operation ended: acknowledged (a write) or answered (a read), or not.</summary>
public enum Outcome
{
    /// <summary>A write acknowledged with (epoch, index); a read answered 200.</summary>
    Ok,
    /// <summary>A read answered 404.</summary>
    NotFound,
    /// <summary>No acknowledgement: timed out, refused or cut off. The write may or may not have landed.</summary>
    Unknown,
}

/// <summary>
/// One client operation as the client saw it: times in ms from the run's start, the node that answered last, and for
/// an acknowledged write its (epoch, index); for a read the serving node's role, epoch and applied index.
/// </summary>
public sealed record OpRecord(OpKind Kind, int Client, string Key, string Value, long StartMs, long EndMs, Outcome Outcome,
    string Node, long Epoch, long Index, int Status, int Attempts, bool ServedByPrimary = false, string? Error = null);

/// <summary>One poll of a node's /status: role, epoch and durable log position at a moment.</summary>
public sealed record StatusSample(long AtMs, string Node, string Role, long Epoch, long LastLogEpoch, long LastLogIndex,
    long CommitIndex, bool CanServeWrites);

/// <summary>A fault as carried out: when it was applied and when it was healed (ms from the run's start).</summary>
public sealed record AppliedFault(Faults.Fault Fault, long AppliedMs, long HealedMs);
