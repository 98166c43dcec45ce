using HotStandby.Core.Roles;

namespace HotStandby.Core.Data;

/// <summary>The replicated key-value state: PUT and DELETE applied strictly in log order; GET reads what is applied.</summary>
public sealed class KvStateMachine
{
    private KvArena _data = new();

    public LogPosition Applied { get; private set; }
    public int Count => _data.Count;

    /// <summary>A copy of the value (the state keeps its bytes in its own arena).</summary>
    public bool TryGet(string key, out byte[] value) => _data.TryGet(key, out value);

    public bool Contains(string key) => _data.Contains(key);

    public void Apply(LogEntry e)
    {
        if (e.Index != Applied.Index + 1)
            throw new InvalidOperationException($"entry {e.Position} applied out of order after {Applied}");
        switch (e.Kind)
        {
            case EntryKind.Put: _data.Put(e.Key, e.Value); break;
            case EntryKind.Delete: _data.Remove(e.Key); break;
        }
        Applied = e.Position;
    }

    /// <summary>Replaces the whole state with a snapshot's content, read straight into an arena.</summary>
    public void Reset(LogPosition position, KvArena content)
    {
        _data = content;
        Applied = position;
    }

    /// <summary>Replaces the whole state with a snapshot's content.</summary>
    public void Reset(LogPosition position, IEnumerable<KeyValuePair<string, byte[]>> content)
    {
        var data = new KvArena();
        foreach (var (key, value) in content) data.Put(key, value);
        _data = data;
        Applied = position;
    }

    /// <summary>A point-in-time view to write a snapshot from while the state moves on (records are never changed in place).</summary>
    public IReadOnlyCollection<KeyValuePair<string, byte[]>> Copy() => _data.Freeze();
}
