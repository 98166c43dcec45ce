using System.Collections.Concurrent;

namespace HotStandby.DataPathProbe;

/// <summary>
/// A dedicated thread that drains a queue of writes, appends them, fsyncs once per drain and completes them. When the
/// queue is empty it yields up to 100 times before it sleeps, as the node's store thread does (Akka's pinned
/// dispatcher on Helios' dedicated thread pool).
/// </summary>
public sealed class StoreThread
{
    private readonly ConcurrentQueue<(byte[] Record, TaskCompletionSource Done)> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ProbeLog _log;
    private int _sleeping;

    public StoreThread(ProbeLog log)
    {
        _log = log;
        new Thread(Run) { IsBackground = true, Name = "probe-store" }.Start();
    }

    public Task Commit(byte[] record)
    {
        var done = new TaskCompletionSource(); // continuations inline: the answer is written on the store's thread
        _queue.Enqueue((record, done));
        if (Volatile.Read(ref _sleeping) == 1) _wake.Release();
        return done.Task;
    }

    private void Run()
    {
        var group = new List<TaskCompletionSource>();
        while (true)
        {
            WaitForWork();
            while (_queue.TryDequeue(out var write))
            {
                _log.Append(write.Record);
                group.Add(write.Done);
            }
            _log.Sync(fsync: true);
            foreach (var done in group) done.SetResult();
            group.Clear();
        }
    }

    private void WaitForWork()
    {
        for (var spins = 0; _queue.IsEmpty; spins++)
        {
            if (spins < 100)
            {
                Thread.Sleep(0);
                continue;
            }
            Volatile.Write(ref _sleeping, 1);
            if (_queue.IsEmpty) _wake.Wait();
            Volatile.Write(ref _sleeping, 0);
            spins = 0;
        }
    }
}
