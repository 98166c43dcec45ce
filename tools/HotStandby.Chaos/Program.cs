using System.Runtime.InteropServices;
using HotStandby.Chaos;

// Exit codes: 0 every check passed; 1 a violation (or the cluster never came up); 2 bad arguments.
ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"hotstandby-chaos: {e.Message}");
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}

using var interrupted = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; interrupted.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; interrupted.Cancel(); });
var run = new ChaosRun(options, line => Console.WriteLine(line));
try
{
    var report = await run.Execute(interrupted.Token);
    Console.WriteLine($"chaos: run directory {run.Dir} (schedule.json, faults.log, history.jsonl, samples.jsonl, report.txt, node logs)");
    return report is { Passed: true } ? 0 : 1;
}
catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
{
    Console.WriteLine($"chaos: interrupted; processes and namespaces removed; partial run in {run.Dir}");
    return 130;
}
