using HotStandby.Core.Roles;

namespace HotStandby.Core.Data;

/// <summary>The replicated key-value state: PUT and DELETE applied strictly in log order; GET reads what is applied.</summary>
public sealed class KvStateMachine
{
    private Dictionary<string, byte[]> _data = new(StringComparer.Ordinal);

    public LogPosition Applied { get; private set; }
    public int Count => _data.Count;

    public bool TryGet(string key, out byte[] value) => _data.TryGetValue(key, out value!);

    public bool Contains(string key) => _data.ContainsKey(key);

    public void Apply(LogEntry e)
    {
        if (e.Index != Applied.Index + 1)
            throw new InvalidOperationException($"entry {e.Position} applied out of order after {Applied}");
        switch (e.Kind)
        {
            case EntryKind.Put: _data[e.Key] = e.Value ?? Array.Empty<byte>(); break;
            case EntryKind.Delete: _data.Remove(e.Key); break;
        }
        Applied = e.Position;
    }

    /// <summary>Replaces the whole state with a snapshot's content.</summary>
    public void Reset(LogPosition position, IEnumerable<KeyValuePair<string, byte[]>> content)
    {
        _data = new Dictionary<string, byte[]>(content, StringComparer.Ordinal);
        Applied = position;
    }

    /// <summary>A point-in-time copy to write a snapshot from while the state moves on (values are never mutated in place).</summary>
    public KeyValuePair<string, byte[]>[] Copy() => _data.ToArray();
}
