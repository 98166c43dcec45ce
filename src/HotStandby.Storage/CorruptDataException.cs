namespace HotStandby.Storage;

/// <summary>A data file failed its checks; the node must refuse to start rather than serve from it.</summary>
public sealed class CorruptDataException(string path, long offset, string problem)
    : Exception($"{path}: corrupt at byte offset {offset}: {problem}")
{
    public string FilePath { get; } = path;
    public long Offset { get; } = offset;
}
