using System.Diagnostics;
using HotStandby.Host.Client;

namespace HotStandby.DataPathProbe;

/// <summary>
/// CLIENTS threads, each with one keep-alive connection and one PUT of a 100-byte value outstanding (the benchmark's
/// own <see cref="RawHttpWriter"/>). Prints acknowledged writes/s, p50/p99 and the answers that were not 200.
/// </summary>
public static class Load
{
    public static int Run(string url, int clients, TimeSpan duration)
    {
        var value = new byte[100];
        Array.Fill(value, (byte)'v');
        var latencies = new List<double>[clients];
        var errors = new int[clients];
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var threads = Enumerable.Range(0, clients).Select(c => new Thread(() =>
        {
            var mine = latencies[c] = new List<double>(1 << 16);
            using var writer = new RawHttpWriter(url);
            Span<char> key = stackalloc char[32];
            for (var n = 0L; Stopwatch.GetTimestamp() < end; n++)
            {
                key.TryWrite($"p{c}-{n}", out var length); // no string per request
                var t0 = Stopwatch.GetTimestamp();
                var status = writer.Put(key[..length], value);
                if (status == 200) mine.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                else errors[c]++;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        if (all.Count == 0)
        {
            Console.WriteLine($"load: no write acknowledged ({errors.Sum()} errors)");
            return 1;
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMicroseconds;
        Console.WriteLine($"load: {all.Count} acknowledged, {all.Count / seconds:F0} writes/s, p50 {all[all.Count / 2]:F2} ms, " +
            $"p99 {all[(int)(all.Count * 0.99)]:F2} ms, {errors.Sum()} not 200, client CPU {cpu / all.Count:F0} us per write");
        return 0;
    }
}
