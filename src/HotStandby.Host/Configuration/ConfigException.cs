namespace HotStandby.Host.Configuration;

/// <summary>Configuration the node cannot start with; printed as one line, exit code 2.</summary>
public sealed class ConfigException(string message) : Exception(message);
