using System.Text.Json;
using HotStandby.Core.Settings;
using HotStandby.Storage;

namespace HotStandby.Chaos.Checking;

/// <summary>Reads a stopped node's data directory the way the node itself would at start-up.</summary>
internal static class FinalData
{
    /// <exception cref="CorruptDataException">the directory holds data the node itself would refuse</exception>
    public static NodeData Read(string node, string dataDir, IEnumerable<string> keys, Action<string> log)
    {
        using var store = DataStore.Open(dataDir, StorageSettings.Default, notice => log($"{node}: {notice}"));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
            if (store.State.TryGet(key, out var v)) values[key] = System.Text.Encoding.UTF8.GetString(v);
        var diverged = new HashSet<(long, long)>();
        var divergedKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in DivergedFile.List(dataDir))
            foreach (var line in File.ReadLines(file).Where(l => l.Length > 0))
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                diverged.Add((r.GetProperty("epoch").GetInt64(), r.GetProperty("index").GetInt64()));
                if (r.TryGetProperty("key", out var k) && k.GetString() is { Length: > 0 } key) divergedKeys.Add(key);
            }
        return new NodeData(node, store.LastIndex, store.Epochs.Starts.ToList(), values, diverged, divergedKeys);
    }
}
