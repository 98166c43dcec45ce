namespace HotStandby.Storage;

/// <summary>Holds <c>DATA-DIR/LOCK</c> open exclusively so that two nodes can never write one data directory.</summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream) => _stream = stream;

    public static DataDirectoryLock Acquire(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, "LOCK");
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new IOException($"{path}: the data directory is in use by another process ({e.Message})", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
