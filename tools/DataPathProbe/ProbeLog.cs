namespace HotStandby.DataPathProbe;

/// <summary>
/// An append-only file kept zero-filled ahead (as the node's log is, so an fsync commits no size change), written
/// from the start again every 64 MiB so that a long run needs no more disk. Not thread-safe: one writer.
/// </summary>
public sealed class ProbeLog
{
    private const long Wrap = 64L << 20;
    private readonly FileStream _file;

    public ProbeLog(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16, FileOptions.DeleteOnClose);
        var zeros = new byte[1 << 20];
        for (var at = 0L; at < Wrap + (8 << 20); at += zeros.Length) _file.Write(zeros);
        _file.Flush(flushToDisk: true);
        _file.Position = 0;
    }

    public void Append(ReadOnlySpan<byte> record) => _file.Write(record);

    /// <summary>write + fsync of everything appended since the last call.</summary>
    public void Sync(bool fsync)
    {
        _file.Flush(flushToDisk: fsync);
        if (_file.Position > Wrap) _file.Position = 0;
    }
}
