namespace HotStandby.Storage;

/// <summary>Crash-safe whole-file replacement: write a temporary file, fsync it, rename over the old one, fsync the directory.</summary>
public static class DurableFile
{
    public static void Replace(string path, ReadOnlySpan<byte> content)
    {
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Makes a rename durable. Opening a directory for reading works on Linux; elsewhere this is a no-op.</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
        RandomAccess.FlushToDisk(handle);
    }
}
