namespace HotStandby.Core.Data;

/// <summary>
/// Where each epoch begins in the log: (epoch, first index) pairs, ascending. Small (one pair per primary change),
/// kept whole in every snapshot so that the epoch of any index, even a compacted one, stays known.
/// </summary>
public sealed class EpochHistory
{
    private readonly List<(long Epoch, long FirstIndex)> _starts = new();

    public EpochHistory() { }

    public EpochHistory(IEnumerable<(long Epoch, long FirstIndex)> starts)
    {
        foreach (var (epoch, first) in starts) Note(epoch, first);
    }

    public IReadOnlyList<(long Epoch, long FirstIndex)> Starts => _starts;

    /// <summary>Records that the entry at <paramref name="index"/> carries <paramref name="epoch"/> (entries arrive in order).</summary>
    public void Note(long epoch, long index)
    {
        if (_starts.Count > 0)
        {
            var last = _starts[^1];
            if (epoch == last.Epoch) return;
            if (epoch < last.Epoch || index <= last.FirstIndex)
                throw new InvalidOperationException($"epoch {epoch} at index {index} after epoch {last.Epoch} from {last.FirstIndex}");
        }
        _starts.Add((epoch, index));
    }

    /// <summary>The epoch of the entry at <paramref name="index"/>; 0 for index 0 (the empty log).</summary>
    public long EpochAt(long index)
    {
        var i = Find(index);
        return i < 0 ? 0 : _starts[i].Epoch;
    }

    public long FirstIndexOfEpochAt(long index)
    {
        var i = Find(index);
        return i < 0 ? 1 : _starts[i].FirstIndex;
    }

    /// <summary>Forgets entries from <paramref name="index"/> on.</summary>
    public void TruncateFrom(long index)
    {
        while (_starts.Count > 0 && _starts[^1].FirstIndex >= index) _starts.RemoveAt(_starts.Count - 1);
    }

    private int Find(long index)
    {
        int lo = 0, hi = _starts.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_starts[mid].FirstIndex <= index) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }
}
