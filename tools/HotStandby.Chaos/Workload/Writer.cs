using System.Collections.Concurrent;
using System.Text;
using HotStandby.Host.Client;

namespace HotStandby.Chaos.Workload;

/// <summary>
/// Writes unique keys (<c>w{id}-{n}</c>, value <c>w{id}:{n}:…</c>) one after another through the project's own
/// <see cref="KvClient"/> (follows 307, retries 503 and cut connections until its deadline), and records every write
/// with its outcome. Acknowledged keys are offered to the readers.
/// </summary>
internal sealed class Writer(int id, IReadOnlyList<string> nodeUrls, RunClock clock,
    ConcurrentQueue<OpRecord> history, AckedKeys acked, TimeSpan deadline, TimeSpan pause)
{
    public async Task Run(CancellationToken stop)
    {
        using var client = new KvClient(nodeUrls, TimeSpan.FromSeconds(1));
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var key = $"w{id}-{n}";
            var value = $"w{id}:{n}:{new string('x', 80)}";
            var start = clock.NowMs;
            var r = await client.Put(key, Encoding.UTF8.GetBytes(value), deadline);
            var done = new OpRecord(OpKind.Write, id, key, value, start, clock.NowMs, r.Acked ? Outcome.Ok : Outcome.Unknown,
                NodeNames.Of(nodeUrls, r.Node), r.Epoch, r.Index, r.Status, r.Attempts, Error: r.Acked ? null : Trim(r.Error));
            history.Enqueue(done);
            if (r.Acked) acked.Add(done);
            try { await Task.Delay(pause, stop); } catch (TaskCanceledException) { }
        }
    }

    private static string? Trim(string? s) => s is null || s.Length <= 200 ? s : s[..200];
}
