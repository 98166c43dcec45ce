using System.Text;

namespace HotStandby.Core.Data;

/// <summary>What a client may write: a non-empty UTF-8 key up to a byte limit, and a value up to a size limit.</summary>
public static class KeyRules
{
    /// <returns>null when the key is acceptable, else what is wrong with it</returns>
    public static string? KeyProblem(string? key, int maxKeyBytes)
    {
        if (string.IsNullOrEmpty(key)) return "empty key";
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > maxKeyBytes) return $"key is {bytes} bytes; the limit (hotstandby.kv.max-key-bytes) is {maxKeyBytes}";
        foreach (var c in key)
            if (char.IsControl(c)) return "key contains a control character";
        for (var i = 0; i < key.Length; i++)
        {
            if (char.IsHighSurrogate(key[i]) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1])) { i++; continue; }
            if (char.IsSurrogate(key[i])) return "key is not valid UTF-8";
        }
        return null;
    }

    public static string? ValueProblem(long length, int maxValueBytes) =>
        length > maxValueBytes ? $"value is {length} bytes; the limit (hotstandby.kv.max-value-bytes) is {maxValueBytes}" : null;
}
