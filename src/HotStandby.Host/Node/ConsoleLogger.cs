using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace HotStandby.Host.Node;

/// <summary>
/// Akka logger for the console host: one compact line per event, the node's own messages at INFO and above,
/// Akka's internal chatter only from WARNING up, and a warning it repeats at most once a minute (with the count of the
/// copies not shown). Role changes appear as <c>[standby -> primary] epoch 7: …</c>.
/// </summary>
public sealed class ConsoleLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private static readonly object Gate = new();
    /// <summary>Akka's warnings that repeat while a peer is away (an association retried every gate period).</summary>
    private static readonly RepeatedLines AkkaRepeats = new(TimeSpan.FromMinutes(1));

    public ConsoleLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Print);
    }

    private static void Print(LogEvent e)
    {
        var ours = e.LogSource.Contains("/user/", StringComparison.Ordinal);
        if (!ours && e.LogLevel() < LogLevel.WarningLevel) return;
        var level = e.LogLevel() switch
        {
            LogLevel.ErrorLevel => "ERROR",
            LogLevel.WarningLevel => "WARN ",
            LogLevel.InfoLevel => "INFO ",
            _ => "DEBUG",
        };
        var source = ours ? e.LogSource[(e.LogSource.IndexOf("/user/", StringComparison.Ordinal) + 6)..] : "akka";
        var message = e.Message?.ToString() ?? "";
        if (!ours) message = message.Split('\n')[0].TrimEnd(); // Akka's own warnings carry whole stack traces
        var text = $"{level} {source}: {message}";
        if (e is Error { Cause: { } cause }) text += $" ({cause.GetType().Name}: {cause.Message.Split('\n')[0].TrimEnd()})";
        lock (Gate)
        {
            // Keyed without the timestamp: the same warning about the same peer, whenever it comes.
            var shown = ours ? text : AkkaRepeats.Admit(text, e.Timestamp);
            if (shown is null) return;
            Console.Out.WriteLine($"{e.Timestamp:yyyy-MM-ddTHH:mm:ss.fffZ} {shown}");
        }
    }
}
