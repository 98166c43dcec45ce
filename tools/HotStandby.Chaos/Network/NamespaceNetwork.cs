using HotStandby.Chaos.Faults;

namespace HotStandby.Chaos.Network;

/// <summary>
/// Each node in its own network namespace (<c>hsc{tag}a</c>, …) with a veth pair to a bridge in a fourth namespace;
/// the tool's own namespace joins the bridge too, so clients always reach every node while the nodes' links to each
/// other are cut with iptables rules in the sending node's namespace (a real dropped packet) or squeezed with tc tbf.
/// </summary>
internal sealed class NamespaceNetwork : INetwork
{
    public const int AkkaPortNumber = 4071;
    public const int HttpPortNumber = 8080;
    private readonly string _tag;
    private readonly string _subnet;
    private readonly List<string> _namespaces = [];
    private readonly List<string> _hostLinks = [];
    private bool _disposed;

    private NamespaceNetwork(string tag, int octet)
    {
        _tag = tag;
        _subnet = $"10.231.{octet}";
    }

    public string Description =>
        $"network namespaces {string.Join(", ", _namespaces)} on {_subnet}.0/24 (bridge {Ns("br")}); faults by iptables and tc tbf";

    public bool SupportsNetworkFaults => true;

    /// <summary>Creates the namespaces, or says why it cannot (not root, no ip/iptables, kernel refuses).</summary>
    public static INetwork Create(string tag, Action<string> log)
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsRoot())
            return new LoopbackNetwork("not running as root");
        foreach (var tool in new[] { "ip", "iptables", "tc" })
            if (Command.TryRun(tool, "-V").ExitCode != 0 && Command.TryRun(tool, "--version").ExitCode != 0)
                return new LoopbackNetwork($"`{tool}` is not installed (apt-get install iproute2 iptables)");
        LeftoverRuns.Sweep(log);
        var inUse = LeftoverRuns.OctetsInUse(Command.TryRun("ip", "-o", "-4", "addr", "show").Output);
        var octet = LeftoverRuns.PickOctet(1 + (int)((uint)tag.GetHashCode() % 250), inUse);
        var net = new NamespaceNetwork(tag, octet);
        try
        {
            LeftoverRuns.RecordOwner(tag);
            net.Build();
            return net;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            net.Dispose();
            return new LoopbackNetwork(e.Message);
        }
    }

    private static bool IsRoot() => Command.TryRun("id", "-u").Output.Trim() == "0";

    private string Ns(string node) => $"hsc{_tag}{node}";

    private string Ip(string node) => node switch { "a" => $"{_subnet}.1", "b" => $"{_subnet}.2", "w" => $"{_subnet}.3", _ => throw new ArgumentException(node) };

    public string Host(string node) => Ip(node);

    public int AkkaPort(string node) => AkkaPortNumber;

    public int HttpPort(string node) => HttpPortNumber;

    public (string File, IReadOnlyList<string> Prefix) Launcher(string node) => ("ip", ["netns", "exec", Ns(node), "dotnet"]);

    private void Build()
    {
        var bridge = Ns("br");
        AddNamespace(bridge);
        Command.Run("ip", "-n", bridge, "link", "add", "br0", "type", "bridge");
        Command.Run("ip", "-n", bridge, "link", "set", "br0", "up");
        foreach (var node in FaultPlanner.AllNodes)
        {
            var ns = Ns(node);
            AddNamespace(ns);
            var outer = $"hsc{_tag}{node}o";
            Command.Run("ip", "link", "add", outer, "type", "veth", "peer", "name", $"hsc{_tag}{node}i");
            Command.Run("ip", "link", "set", $"hsc{_tag}{node}i", "netns", ns);
            Command.Run("ip", "-n", ns, "link", "set", $"hsc{_tag}{node}i", "name", "eth0");
            Command.Run("ip", "-n", ns, "addr", "add", $"{Ip(node)}/24", "dev", "eth0");
            Command.Run("ip", "-n", ns, "link", "set", "eth0", "up");
            Command.Run("ip", "-n", ns, "link", "set", "lo", "up");
            Command.Run("ip", "link", "set", outer, "netns", bridge);
            Command.Run("ip", "-n", bridge, "link", "set", outer, "master", "br0");
            Command.Run("ip", "-n", bridge, "link", "set", outer, "up");
        }
        // The tool's own namespace on the bridge: clients and the status sampler reach every node at .254.
        var hostSide = $"hsc{_tag}h";
        Command.Run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", $"hsc{_tag}hb");
        _hostLinks.Add(hostSide);
        Command.Run("ip", "link", "set", $"hsc{_tag}hb", "netns", bridge);
        Command.Run("ip", "-n", bridge, "link", "set", $"hsc{_tag}hb", "master", "br0");
        Command.Run("ip", "-n", bridge, "link", "set", $"hsc{_tag}hb", "up");
        Command.Run("ip", "addr", "add", $"{_subnet}.254/24", "dev", hostSide);
        Command.Run("ip", "link", "set", hostSide, "up");
        // Prove the kernel takes the rules the faults need before the run depends on them.
        var probe = Ns("a");
        Command.Run("ip", "netns", "exec", probe, "iptables", "-A", "OUTPUT", "-d", Ip("b"), "-m", "statistic", "--mode", "random", "--probability", "0.5", "-j", "DROP");
        Command.Run("ip", "netns", "exec", probe, "iptables", "-F", "OUTPUT");
    }

    private void AddNamespace(string ns)
    {
        Command.Run("ip", "netns", "add", ns);
        _namespaces.Add(ns);
    }

    public void Apply(Fault fault) => Rules(fault, "-A");

    public void Heal(Fault fault) => Rules(fault, "-D");

    private void Rules(Fault fault, string op)
    {
        if (fault.Kind == FaultKind.RateLimit)
        {
            if (op == "-A")
                Command.Run("ip", "netns", "exec", Ns(fault.Node), "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf",
                    "rate", $"{fault.RateKbit}kbit", "burst", "16kbit", "latency", "400ms");
            else
                Command.TryRun("ip", "netns", "exec", Ns(fault.Node), "tc", "qdisc", "del", "dev", "eth0", "root");
            return;
        }
        foreach (var link in fault.Links)
        {
            List<string> args = ["netns", "exec", Ns(link.From), "iptables", op, "OUTPUT", "-d", Ip(link.To)];
            if (fault.Kind == FaultKind.Loss)
                args.AddRange(["-m", "statistic", "--mode", "random", "--probability", fault.LossProbability.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)]);
            args.AddRange(["-m", "comment", "--comment", $"chaos-fault-{fault.Id}", "-j", "DROP"]);
            if (op == "-A") Command.Run("ip", [.. args]);
            else Command.TryRun("ip", [.. args]);
        }
    }

    public void HealAll()
    {
        foreach (var node in FaultPlanner.AllNodes)
        {
            Command.TryRun("ip", "netns", "exec", Ns(node), "iptables", "-F", "OUTPUT");
            Command.TryRun("ip", "netns", "exec", Ns(node), "tc", "qdisc", "del", "dev", "eth0", "root");
        }
    }

    /// <summary>Kills whatever still runs in the namespaces, then deletes them and the host-side link.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var ns in _namespaces)
        {
            var pids = Command.TryRun("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var pid in pids)
                if (int.TryParse(pid, out var p)) Command.TryRun("kill", "-9", p.ToString());
        }
        foreach (var link in _hostLinks) Command.TryRun("ip", "link", "del", link);
        foreach (var ns in _namespaces) Command.TryRun("ip", "netns", "del", ns);
        LeftoverRuns.ForgetOwner(_tag);
    }
}
