using HotStandby.Host.Node;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>
/// A node runs socket completions inline on one socket thread unless the operator's environment says otherwise, and says
/// at start what it observed (a probe's completion thread, the socket threads in /proc).
/// </summary>
public sealed class SocketCompletionsTests
{
    [Fact]
    public async Task A_node_runs_socket_completions_inline_on_one_socket_thread_by_default()
    {
        var line = await StartupLine(inline: null, threads: null);
        Assert.True(line.Contains("socket completions run inline on 1 socket thread "), line);
        Assert.Contains($"{SocketCompletions.InlineVariable}=1, {SocketCompletions.ThreadCountVariable}=1", line);
    }

    [Fact]
    public async Task An_operators_settings_are_kept()
    {
        var line = await StartupLine(inline: "0", threads: "2");
        Assert.True(line.Contains("socket completions run on thread-pool workers on 2 socket threads "), line);
        Assert.Contains($"{SocketCompletions.InlineVariable}=0, {SocketCompletions.ThreadCountVariable}=2", line);
    }

    [Fact]
    public async Task The_probe_sees_the_test_hosts_own_completions_on_pool_workers()
    {
        // The test host never sets the variable, so its completions go to the pool: the probe can tell the two apart.
        Assert.Null(Environment.GetEnvironmentVariable(SocketCompletions.InlineVariable));
        Assert.False(await SocketCompletions.RunInline(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Starts a node (its peers need not exist) and returns its start-up line about socket completions.</summary>
    private async Task<string> StartupLine(string? inline, string? threads)
    {
        var lines = await HostProcess.StartupLines(line => line.Contains("socket completions"), info =>
        {
            info.Environment.Remove(SocketCompletions.InlineVariable);
            info.Environment.Remove(SocketCompletions.ThreadCountVariable);
            if (inline is not null) info.Environment[SocketCompletions.InlineVariable] = inline;
            if (threads is not null) info.Environment[SocketCompletions.ThreadCountVariable] = threads;
        });
        return lines[^1];
    }
}
