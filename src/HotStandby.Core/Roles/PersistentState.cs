namespace HotStandby.Core.Roles;

/// <summary>What a node must have on disk before it acts: its epoch and the vote it granted in that epoch.</summary>
public sealed record PersistentState(long Epoch, string? VotedFor)
{
    public static readonly PersistentState Initial = new(0, null);
}
