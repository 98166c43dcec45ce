using System.Runtime.InteropServices;

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

    /// <summary>Makes a rename durable: fsync of the directory itself (.NET cannot open a directory, so libc does it).</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        const int oRdOnly = 0, oDirectory = 0x10000;
        var fd = Open(directory, oRdOnly | oDirectory);
        if (fd < 0) throw new IOException($"{directory}: cannot open directory for fsync (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"{directory}: fsync failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
