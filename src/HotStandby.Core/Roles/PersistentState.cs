namespace HotStandby.Core.Roles;

/// <summary>
/// What a node must have on disk before it acts: its epoch, the vote it granted in that epoch, and the standbys the
/// primary it followed declared not eligible for promotion (a voter must still refuse them after a restart).
/// </summary>
public sealed record PersistentState(long Epoch, string? VotedFor)
{
    public static readonly PersistentState Initial = new(0, null);

    public IReadOnlyList<string> NotEligible { get; init; } = Array.Empty<string>();

    /// <summary>The primary that sent <see cref="NotEligible"/>: "any standby" never covers it.</summary>
    public string? NotEligibleFrom { get; init; }

    public bool Equals(PersistentState? other) =>
        other is not null && Epoch == other.Epoch && VotedFor == other.VotedFor && NotEligible.SequenceEqual(other.NotEligible)
        && NotEligibleFrom == other.NotEligibleFrom;

    public override int GetHashCode() => HashCode.Combine(Epoch, VotedFor, NotEligible.Count);
}
