namespace HotStandby.Core.Roles;

/// <summary>The (epoch, index) of a log entry; ordered by epoch first, as in Raft's up-to-date rule.</summary>
public readonly record struct LogPosition(long Epoch, long Index) : IComparable<LogPosition>
{
    public static readonly LogPosition Zero = new(0, 0);

    public int CompareTo(LogPosition other) =>
        Epoch != other.Epoch ? Epoch.CompareTo(other.Epoch) : Index.CompareTo(other.Index);

    public static bool operator <(LogPosition a, LogPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(LogPosition a, LogPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(LogPosition a, LogPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(LogPosition a, LogPosition b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Epoch}:{Index}";
}
