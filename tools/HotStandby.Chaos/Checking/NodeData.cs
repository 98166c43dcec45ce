namespace HotStandby.Chaos.Checking;

/// <summary>What a data node's directory held at the end: its log's epochs, the values of the run's keys, and the
/// entries it set aside in <c>diverged/</c>.</summary>
public sealed record NodeData(string Node, long LastIndex, IReadOnlyList<(long Epoch, long FirstIndex)> EpochStarts,
    IReadOnlyDictionary<string, string> Values, IReadOnlySet<(long Epoch, long Index)> Diverged, IReadOnlySet<string> DivergedKeys)
{
    /// <summary>The epoch of the entry at <paramref name="index"/>, or -1 when the log does not reach it.</summary>
    public long EpochAt(long index)
    {
        if (index > LastIndex || index <= 0) return -1;
        var epoch = -1L;
        foreach (var (e, first) in EpochStarts)
            if (first <= index) epoch = e;
            else break;
        return epoch;
    }
}
