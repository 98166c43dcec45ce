using Akka.Configuration;
using Akka.Configuration.Hocon;
using HotStandby.Actors;
using HotStandby.Actors.Configuration;
using HotStandby.Core.Settings;

namespace HotStandby.Host.Configuration;

/// <summary>A node's configuration as loaded: the whole HOCON (for Akka) and the validated settings.</summary>
public sealed record LoadedConfig(string File, Config Config, NodeSettings Settings, int RemotingPort);

/// <summary>
/// Loads <c>--config FILE</c>, applies <c>--set KEY=VALUE</c> overrides on top, falls back to the embedded reference.conf,
/// and validates. Every failure is a <see cref="ConfigException"/> naming the file, the key and the problem.
/// </summary>
public static class ConfigLoader
{
    public static LoadedConfig Load(string file, IReadOnlyList<string> overrides)
    {
        var path = Path.GetFullPath(file);
        if (!File.Exists(path)) throw new ConfigException($"{file}: file not found");

        var config = ParseFile(path, file);
        foreach (var assignment in overrides) // a later --set wins over an earlier one and over the file
            config = ParseOverride(assignment).WithFallback(config);
        config = NodeRuntime.WithReference(config);

        NodeSettings settings;
        try
        {
            settings = HotStandbySettingsFactory.Create(config);
        }
        catch (SettingsException e)
        {
            throw new ConfigException($"{file}: {e.Key}: {e.Problem}");
        }

        const string portKey = "akka.remote.dot-netty.tcp.port";
        int port;
        try
        {
            port = config.GetInt(portKey);
        }
        catch (Exception e)
        {
            throw new ConfigException($"{file}: {portKey}: {FirstLine(e.Message)}");
        }
        if (port is < 1 or > 65535) throw new ConfigException($"{file}: {portKey}: {port} is not a TCP port (1-65535)");
        var own = $"akka.tcp://{NodeRuntime.SystemName}@{config.GetString("akka.remote.dot-netty.tcp.hostname")}:{port}";
        if (settings.Peers.FirstOrDefault(p => string.Equals(p.Address, own, StringComparison.OrdinalIgnoreCase)) is { } self)
            throw new ConfigException($"{file}: hotstandby.peers: '{self.Address}' is this node's own address ({portKey})");

        // Relative data directories belong to the config file's directory, not to wherever the process was started.
        if (!Path.IsPathRooted(settings.DataDir))
            settings = settings with { DataDir = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, settings.DataDir)) };
        return new LoadedConfig(file, config, settings, port);
    }

    private static Config ParseFile(string path, string shownName)
    {
        var directory = Path.GetDirectoryName(path)!;
        var text = File.ReadAllText(path);
        if (HoconSyntaxCheck.Find(text) is { } problem) throw new ConfigException($"{shownName}: HOCON syntax error: {problem}");
        try
        {
            return ConfigurationFactory.ParseString(text, include => IncludeFrom(directory, include, shownName));
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ConfigException($"{shownName}: HOCON syntax error: {FirstLine(e.Message)}");
        }
    }

    /// <summary><c>include "defaults.conf"</c> resolves beside the including file.</summary>
    private static HoconRoot IncludeFrom(string directory, string include, string shownName)
    {
        var target = Path.Combine(directory, include.Trim('"'));
        if (!File.Exists(target)) throw new ConfigException($"{shownName}: include \"{include}\": file not found ({target})");
        var text = File.ReadAllText(target);
        if (HoconSyntaxCheck.Find(text) is { } problem) throw new ConfigException($"{target}: HOCON syntax error: {problem}");
        try
        {
            return Parser.Parse(text, inner => IncludeFrom(Path.GetDirectoryName(target)!, inner, shownName));
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new ConfigException($"{target}: HOCON syntax error: {FirstLine(e.Message)}");
        }
    }

    private static Config ParseOverride(string assignment)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"--set {assignment}: expected KEY=VALUE");
        var key = assignment[..eq].Trim();
        var value = assignment[(eq + 1)..].Trim();
        try
        {
            return ConfigurationFactory.ParseString($"{key} = {value}");
        }
        catch (Exception)
        {
            try
            {
                // A plain word with characters HOCON reserves (a path, a URL): take it as a string.
                return ConfigurationFactory.ParseString($"{key} = \"{value.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
            }
            catch (Exception e)
            {
                throw new ConfigException($"--set {assignment}: {key}: {FirstLine(e.Message)}");
            }
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
