using System.Text.Json;
using HotStandby.Core.Data;

namespace HotStandby.Storage;

/// <summary>
/// Entries a deposed primary held that the new primary never had: written, with epoch and index, to
/// <c>diverged/diverged-{time}-from-{index}.jsonl</c> in the data directory before they are truncated away.
/// One JSON object per line: epoch, index, op (put/delete/noop), key, value (base64).
/// </summary>
public static class DivergedFile
{
    public const string DirectoryName = "diverged";

    /// <returns>the path written</returns>
    public static string Write(string dataDir, IReadOnlyList<LogEntry> entries, string reason, DateTimeOffset now)
    {
        var dir = Path.Combine(dataDir, DirectoryName);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"diverged-{now:yyyyMMddTHHmmssfff}-from-{entries[0].Index}.jsonl");
        using var buffer = new MemoryStream();
        foreach (var e in entries)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", e.Epoch);
                json.WriteNumber("index", e.Index);
                json.WriteString("op", e.Kind.ToString().ToLowerInvariant());
                json.WriteString("key", e.Key);
                if (e.Value is { } v) json.WriteBase64String("value", v);
                json.WriteString("reason", reason);
                json.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
        }
        DurableFile.Replace(path, buffer.ToArray());
        return path;
    }

    public static IReadOnlyList<string> List(string dataDir)
    {
        var dir = Path.Combine(dataDir, DirectoryName);
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*.jsonl").Order().ToList() : Array.Empty<string>();
    }
}
