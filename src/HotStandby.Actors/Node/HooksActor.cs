using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using HotStandby.Actors.Protocol;
using HotStandby.Core.Roles;
using HotStandby.Core.Settings;

namespace HotStandby.Actors.Node;

/// <summary>The outcome of one hook run, reported to the supervisor.</summary>
public sealed record HookFinished(string Hook, string Command, int? ExitCode, bool TimedOut, string Output)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;
}

/// <summary>
/// Runs the operator's scripts on role changes, one at a time in order, each with a timeout and the change described
/// in environment variables. A hook never blocks the supervisor: it runs on the thread pool and reports back.
/// </summary>
public sealed class HooksActor : ReceiveActor
{
    private readonly HookSettings _hooks;
    private readonly string _nodeId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<(string Hook, string Command, RoleEvent Event)> _pending = new();
    private bool _running;

    public static Props Props(NodeSettings settings) => Akka.Actor.Props.Create(() => new HooksActor(settings.Hooks, settings.NodeId));

    public HooksActor(HookSettings hooks, string nodeId)
    {
        _hooks = hooks;
        _nodeId = nodeId;
        Receive<RoleEvent>(e =>
        {
            foreach (var (hook, command) in HooksFor(e.Change))
                _pending.Enqueue((hook, command, e));
            RunNext();
        });
        Receive<HookFinished>(f =>
        {
            _running = false;
            if (f.Succeeded) _log.Info("hook {0} ({1}) succeeded", f.Hook, f.Command);
            else _log.Warning("hook {0} ({1}) failed: {2}; output: {3}", f.Hook, f.Command,
                f.TimedOut ? $"timed out after {_hooks.Timeout.TotalMilliseconds} ms" : $"exit code {f.ExitCode}", f.Output);
            Context.Parent.Tell(f);
            RunNext();
        });
    }

    private IEnumerable<(string Hook, string Command)> HooksFor(RoleChange change)
    {
        if (change.From is NodeRole.Primary or NodeRole.Demoting && change.To is not (NodeRole.Primary or NodeRole.Demoting) && _hooks.OnDemote is { } demote)
            yield return ("on-demote", demote);
        if (change.To == NodeRole.Primary && change.From != NodeRole.Demoting && _hooks.OnPromote is { } promote)
            yield return ("on-promote", promote);
        if (change.To == NodeRole.Faulted && _hooks.OnFault is { } fault)
            yield return ("on-fault", fault);
    }

    private void RunNext()
    {
        if (_running || !_pending.TryDequeue(out var next)) return;
        _running = true;
        Run(next.Hook, next.Command, next.Event, _hooks.Timeout, _nodeId).PipeTo(Self);
    }

    private static async Task<HookFinished> Run(string hook, string command, RoleEvent e, TimeSpan timeout, string nodeId)
    {
        var info = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["HOTSTANDBY_NODE_ID"] = nodeId;
        info.Environment["HOTSTANDBY_HOOK"] = hook;
        info.Environment["HOTSTANDBY_FROM_ROLE"] = e.Change.From.ToWire();
        info.Environment["HOTSTANDBY_TO_ROLE"] = e.Change.To.ToWire();
        info.Environment["HOTSTANDBY_EPOCH"] = e.Change.Epoch.ToString();
        info.Environment["HOTSTANDBY_REASON"] = e.Change.Reason;
        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return new HookFinished(hook, command, null, TimedOut: true, "");
            }
            var text = ((await output) + (await errors)).Trim();
            return new HookFinished(hook, command, process.ExitCode, TimedOut: false, text.Length > 500 ? text[..500] : text);
        }
        catch (Exception ex)
        {
            return new HookFinished(hook, command, null, TimedOut: false, $"could not start: {ex.Message}");
        }
    }
}
