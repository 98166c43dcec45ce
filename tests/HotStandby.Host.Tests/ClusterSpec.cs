using Akka.TestKit.Xunit2;
using HotStandby.Host.Demo;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>Three real <c>hotstandby run</c> processes (a, b, w) on loopback with the fast profile, started per test.</summary>
public abstract class ClusterSpec(string prefix, string extraConfig) : TestKit("akka.loglevel = WARNING"), IAsyncLifetime
{
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    protected LocalCluster Cluster { get; } = new(HostProcess.TempDir(prefix), HostProcess.Command, HostProcess.FastProfile, extraConfig);

    public Task InitializeAsync()
    {
        foreach (var id in LocalCluster.Ids) Cluster.Start(id);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (Environment.GetEnvironmentVariable("HS_KEEP_LOGS") is null)
            try { Directory.Delete(Cluster.Root, recursive: true); } catch (IOException) { }
    }

    /// <summary>Whichever data node serves writes first (a is preferred, but b may start first).</summary>
    protected async Task<string> AwaitServingPrimary()
    {
        string? primary = null;
        await AwaitAssertAsync(async () => Assert.NotNull(primary = await Cluster.ServingPrimary()), Generous, TimeSpan.FromMilliseconds(50));
        return primary!;
    }
}
