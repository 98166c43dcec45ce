using System.Globalization;

namespace HotStandby.Chaos;

/// <summary>The tool's command line: <c>[--seconds N | --minutes N] [--seed S|random] [--out DIR] …</c>.</summary>
public sealed record ChaosOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public int Seed { get; init; } = Random.Shared.Next(1, int.MaxValue);
    public string? OutDir { get; init; }
    public int Writers { get; init; } = 4;
    public int Readers { get; init; } = 2;
    public bool SyncMode { get; init; } = true;
    public bool AllowNamespaces { get; init; } = true;
    public string Tag { get; init; } = Random.Shared.Next(0, 0xffff).ToString("x4");
    public bool KeepData { get; init; } = true;

    public const string Usage =
        "usage: hotstandby-chaos [--seconds N | --minutes N] [--seed N|random] [--out DIR] [--writers N] [--readers N] [--mode sync|async] [--no-netns] [--tag HEX4] [--discard-data-on-pass]";

    /// <exception cref="ArgumentException">an unknown option or a bad value, named</exception>
    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ChaosOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Number(string name, int min)
            {
                var v = Value();
                return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                    ? n : throw new ArgumentException($"{name} must be a whole number ≥ {min}, not '{v}'");
            }
            o = args[i] switch
            {
                "--seconds" => o with { Duration = TimeSpan.FromSeconds(Number("--seconds", 10)) },
                "--minutes" => o with { Duration = TimeSpan.FromMinutes(Number("--minutes", 1)) },
                "--seed" => Value() is var s && s == "random" ? o : o with { Seed = int.TryParse(s, out var seed) ? seed : throw new ArgumentException($"--seed must be a number or 'random', not '{s}'") },
                "--out" => o with { OutDir = Value() },
                "--writers" => o with { Writers = Number("--writers", 1) },
                "--readers" => o with { Readers = Number("--readers", 0) },
                "--mode" => Value() switch
                {
                    "sync" => o with { SyncMode = true },
                    "async" => o with { SyncMode = false },
                    var m => throw new ArgumentException($"--mode must be sync or async, not '{m}'"),
                },
                "--no-netns" => o with { AllowNamespaces = false },
                "--tag" => Value() is var t && t.Length == 4 && t.All(Uri.IsHexDigit) ? o with { Tag = t.ToLowerInvariant() } : throw new ArgumentException($"--tag must be 4 hex digits, not '{t}'"),
                "--discard-data-on-pass" => o with { KeepData = false },
                var other => throw new ArgumentException($"unknown option '{other}'"),
            };
        }
        return o;
    }
}
