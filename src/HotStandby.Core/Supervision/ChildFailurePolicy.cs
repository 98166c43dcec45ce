namespace HotStandby.Core.Supervision;

public abstract record ChildFailureDecision
{
    /// <summary>Start the child again after <paramref name="Backoff"/>.</summary>
    public sealed record Restart(TimeSpan Backoff) : ChildFailureDecision;

    /// <summary>Stop accepting writes and report faulted: the node cannot trust its own state any more.</summary>
    public sealed record Fence(string Reason) : ChildFailureDecision;
}

/// <summary>What a child's failure means for the node; the supervisor carries the decision out.</summary>
public sealed class ChildFailurePolicy(TimeSpan minBackoff, TimeSpan maxBackoff)
{
    /// <param name="child">the child's name</param>
    /// <param name="error">the exception's type and message</param>
    /// <param name="isStorageFailure">the failure came from durable storage</param>
    /// <param name="consecutiveFailures">failures of this child since it last ran healthy, this one included</param>
    public ChildFailureDecision Decide(string child, string error, bool isStorageFailure, int consecutiveFailures)
    {
        if (isStorageFailure)
            return new ChildFailureDecision.Fence($"{child} failed on storage: {error}");
        var exponent = Math.Clamp(consecutiveFailures - 1, 0, 20);
        var backoff = TimeSpan.FromTicks(Math.Min(maxBackoff.Ticks, minBackoff.Ticks * (1L << exponent)));
        return new ChildFailureDecision.Restart(backoff);
    }
}
