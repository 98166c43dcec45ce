namespace HotStandby.Core.Data;

public enum EntryKind : byte
{
    /// <summary>Written by a new primary at the start of its epoch; commits what came before it (as in Raft).</summary>
    Noop = 0,
    Put = 1,
    Delete = 2,
}

/// <summary>One replicated log record: its position and the state-machine command it carries.</summary>
public sealed record LogEntry(long Epoch, long Index, EntryKind Kind, string Key, byte[]? Value)
{
    public static LogEntry Noop(long epoch, long index) => new(epoch, index, EntryKind.Noop, "", null);

    public Roles.LogPosition Position => new(Epoch, Index);

    public LogEntry At(long epoch, long index) => this with { Epoch = epoch, Index = index };
}
