namespace HotStandby.Actors.Configuration;

/// <summary>Invalid configuration: names the key and the problem; the host prints it as one line and exits 2.</summary>
public sealed class SettingsException(string key, string problem) : Exception($"{key}: {problem}")
{
    public string Key { get; } = key;
    public string Problem { get; } = problem;
}
