using HotStandby.Host.Cli;
using HotStandby.Host.Configuration;
using HotStandby.Host.Demo;
using HotStandby.Host.Node;

namespace HotStandby.Host;

public static class Program
{
    public const int ExitUsage = 64, ExitConfig = 2;

    private const string Usage = """
        usage:
          hotstandby run --config FILE [--set KEY=VALUE]...   run one node until SIGINT/SIGTERM
          hotstandby status [--endpoint URL] [--json]          the pair at a glance (default endpoint http://127.0.0.1:8080)
          hotstandby switchover [--to NODE] [--endpoint URL]   planned hand-over of the primary role
          hotstandby demo                                      local pair + witness: failover and failback with a timeline
          hotstandby bench-failover [--profile fast|default] [--trials N]   kill -9 failover timing (used by scripts/bench-failover.sh)
          hotstandby bench-replication [--seconds S] [--warm-up S] [--trials N] [--catch-up ENTRIES] [--modes sync,async] [--clients 1,16,64] [--points-only]
                                                     write throughput, latency, catch-up (scripts/bench-replication.sh)
        """;

    public static async Task<int> Main(string[] argv)
    {
        SocketCompletions.PreferInline(); // before any socket exists
        if (argv.Length == 0 || argv[0] is "-h" or "--help" or "help")
        {
            Console.Out.WriteLine(Usage);
            return argv.Length == 0 ? ExitUsage : 0;
        }
        var args = new Arguments(argv.Skip(1));
        try
        {
            switch (argv[0])
            {
                case "run":
                {
                    var file = args.Value("--config") ?? throw new UsageException("run: --config FILE is required");
                    var overrides = args.Values("--set");
                    args.EnsureNoneLeft("run");
                    LoadedConfig loaded;
                    try
                    {
                        loaded = ConfigLoader.Load(file, overrides);
                    }
                    catch (ConfigException e)
                    {
                        Console.Error.WriteLine($"hotstandby: configuration error: {e.Message}");
                        return ExitConfig;
                    }
                    return await NodeHost.RunAsync(loaded);
                }
                case "status":
                {
                    var endpoint = args.Value("--endpoint") ?? ClientCommands.DefaultEndpoint;
                    var json = args.Flag("--json");
                    args.EnsureNoneLeft("status");
                    return await ClientCommands.StatusAsync(endpoint, json);
                }
                case "switchover":
                {
                    var endpoint = args.Value("--endpoint") ?? ClientCommands.DefaultEndpoint;
                    var target = args.Value("--to");
                    args.EnsureNoneLeft("switchover");
                    return await ClientCommands.SwitchoverAsync(endpoint, target);
                }
                case "demo":
                    args.EnsureNoneLeft("demo");
                    return await DemoCommand.RunAsync();
                case "bench-failover":
                {
                    var profile = args.Value("--profile") ?? "fast";
                    var trials = int.Parse(args.Value("--trials") ?? "20");
                    args.EnsureNoneLeft("bench-failover");
                    return await FailoverBench.RunAsync(profile, trials);
                }
                case "bench-replication":
                {
                    var seconds = double.Parse(args.Value("--seconds") ?? "5", System.Globalization.CultureInfo.InvariantCulture);
                    var warmUp = ReplicationBench.ParseWarmUp(args.Value("--warm-up") ?? "10");
                    var trials = int.Parse(args.Value("--trials") ?? "20");
                    var entries = int.Parse(args.Value("--catch-up") ?? "1000000");
                    var modes = ReplicationBench.ParseModes(args.Value("--modes") ?? "sync,async");
                    var clients = ReplicationBench.ParseClients(args.Value("--clients") ?? "1,16,64");
                    var pointsOnly = args.Flag("--points-only"); // without the standby-stopped point (scripts/bench-paired.sh)
                    args.EnsureNoneLeft("bench-replication");
                    return await ReplicationBench.RunAsync(seconds, warmUp, trials, entries, modes, clients, pointsOnly);
                }
                default:
                    throw new UsageException($"unknown command '{argv[0]}'");
            }
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"hotstandby: {e.Message}");
            Console.Error.WriteLine(Usage);
            return ExitUsage;
        }
    }
}
