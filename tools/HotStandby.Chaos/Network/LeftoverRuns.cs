using System.Text.RegularExpressions;
using HotStandby.Host.Demo;

namespace HotStandby.Chaos.Network;

/// <summary>
/// What earlier runs left behind. A run whose tool died without its cleanup (a crashed test host) leaves its
/// namespaces, processes and host link; each run records its process id under <see cref="OwnerDirectory"/>, so a
/// later run removes the namespaces of tags whose owner is gone, and picks a subnet no interface here still uses.
/// </summary>
internal static partial class LeftoverRuns
{
    public const string OwnerDirectory = "/run/hotstandby-chaos";
    private const int Octets = 250;

    [GeneratedRegex("^hsc([0-9a-f]{4})(a|b|w|br)$")]
    private static partial Regex RunNamespace();

    [GeneratedRegex(@"\b10\.231\.(\d{1,3})\.\d{1,3}/")]
    private static partial Regex ChaosAddress();

    /// <summary>The tags of chaos-run namespaces (<c>hsc{tag}{a|b|w|br}</c>) whose owning tool is not alive.</summary>
    public static IReadOnlyList<string> StaleTags(IEnumerable<string> namespaces, Func<string, bool> ownerAlive) =>
        namespaces.Select(n => RunNamespace().Match(n)).Where(m => m.Success).Select(m => m.Groups[1].Value)
            .Distinct().Where(tag => !ownerAlive(tag)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The third octet of a free 10.231.X.0/24: <paramref name="preferred"/>, or the next one not in use.</summary>
    public static int PickOctet(int preferred, IReadOnlySet<int> inUse)
    {
        for (var i = 0; i < Octets; i++)
        {
            var octet = 1 + (preferred - 1 + i) % Octets;
            if (!inUse.Contains(octet)) return octet;
        }
        throw new InvalidOperationException($"every 10.231.X.0/24 (X = 1..{Octets}) is in use on this host");
    }

    /// <summary>The octets X of the 10.231.X.Y addresses in <c>ip -o -4 addr show</c> output.</summary>
    public static IReadOnlySet<int> OctetsInUse(string ipAddrOutput) =>
        ChaosAddress().Matches(ipAddrOutput).Select(m => int.Parse(m.Groups[1].Value)).ToHashSet();

    /// <summary>Records this process (id and start time, so a reused id is not taken for it) as the tag's owner.</summary>
    public static void RecordOwner(string tag)
    {
        Directory.CreateDirectory(OwnerDirectory);
        File.WriteAllText(OwnerFile(tag), $"{Environment.ProcessId} {StartTime(Environment.ProcessId)}");
    }

    public static void ForgetOwner(string tag)
    {
        if (File.Exists(OwnerFile(tag))) File.Delete(OwnerFile(tag));
    }

    /// <summary>Removes the namespaces (and whatever runs in them) and host links of runs whose tool is gone.</summary>
    public static void Sweep(Action<string> log)
    {
        var namespaces = Command.TryRun("ip", "netns", "list").Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ')[0]).ToList();
        foreach (var tag in StaleTags(namespaces, OwnerAlive))
        {
            foreach (var ns in namespaces.Where(n => n.StartsWith($"hsc{tag}", StringComparison.Ordinal)))
            {
                foreach (var pid in Command.TryRun("ip", "netns", "pids", ns).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    Command.TryRun("kill", "-9", pid);
                Command.TryRun("ip", "netns", "del", ns);
            }
            Command.TryRun("ip", "link", "del", $"hsc{tag}h");
            ForgetOwner(tag);
            log($"removed the namespaces of an earlier run (tag {tag}) whose tool is gone");
        }
    }

    private static string OwnerFile(string tag) => Path.Combine(OwnerDirectory, $"{tag}.pid");

    private static bool OwnerAlive(string tag)
    {
        var file = OwnerFile(tag);
        if (!File.Exists(file)) return false;
        var recorded = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return recorded.Length == 2 && int.TryParse(recorded[0], out var pid) && StartTime(pid) is { } started && started == recorded[1];
    }

    /// <summary>Start time in clock ticks since boot (field 22 of /proc/PID/stat), or null when no such process runs.</summary>
    private static string? StartTime(int pid) => ProcStat.Read(pid) is { } f ? ProcStat.Field(f, 22) : null;
}
