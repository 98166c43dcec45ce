using System.Globalization;
using HotStandby.Host.Node;
using Xunit;

namespace HotStandby.Host.Tests;

/// <summary>
/// Akka's warnings about a peer that is down are printed once a minute with a count, not on every retry: the rule on
/// explicit times, then on a real node whose two peers do not exist.
/// </summary>
public sealed class RepeatedLinesTests
{
    private static readonly DateTime T0 = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);
    private const string Gated = "WARN  akka: Tried to associate with unreachable remote address [akka.tcp://hotstandby@127.0.0.1:4072].";

    [Fact]
    public void A_line_is_printed_once_a_window_with_the_copies_it_did_not_print()
    {
        var lines = new RepeatedLines(TimeSpan.FromMinutes(1));
        Assert.Equal(Gated, lines.Admit(Gated, T0));
        for (var s = 1; s < 60; s++) Assert.Null(lines.Admit(Gated, T0.AddSeconds(s)));
        Assert.Equal($"{Gated} [59 more like this since 12:00:00Z, not shown]", lines.Admit(Gated, T0.AddSeconds(60)));
        Assert.Null(lines.Admit(Gated, T0.AddSeconds(61)));
        Assert.Equal($"{Gated} [1 more like this since 12:01:00Z, not shown]", lines.Admit(Gated, T0.AddMinutes(5)));
        Assert.Equal(Gated, lines.Admit(Gated, T0.AddMinutes(7))); // nothing dropped since the last one printed
    }

    [Fact]
    public void Other_lines_and_other_peers_are_counted_apart()
    {
        var lines = new RepeatedLines(TimeSpan.FromMinutes(1));
        var otherPeer = Gated.Replace("4072", "4073");
        Assert.NotNull(lines.Admit(Gated, T0));
        Assert.Equal(otherPeer, lines.Admit(otherPeer, T0.AddSeconds(1)));
        Assert.Null(lines.Admit(otherPeer, T0.AddSeconds(2)));
        Assert.Equal("WARN  akka: something else", lines.Admit("WARN  akka: something else", T0.AddSeconds(3)));
    }

    [Fact]
    public void A_full_table_forgets_old_lines_and_keeps_admitting_new_ones()
    {
        var lines = new RepeatedLines(TimeSpan.FromMinutes(1), capacity: 4);
        for (var i = 0; i < 4; i++) Assert.NotNull(lines.Admit($"line {i}", T0));
        Assert.Equal("line 4", lines.Admit("line 4", T0.AddMinutes(2))); // the four are a window old: forgotten
        Assert.Null(lines.Admit("line 4", T0.AddMinutes(2).AddSeconds(1)));
        for (var i = 5; i < 9; i++) Assert.Equal($"line {i}", lines.Admit($"line {i}", T0.AddMinutes(2).AddSeconds(2)));
        Assert.Equal("line 4", lines.Admit("line 4", T0.AddMinutes(2).AddSeconds(3))); // table full and young: cleared
    }

    [Fact]
    public async Task A_node_whose_peers_are_down_warns_about_each_once_and_not_on_every_retry()
    {
        // Akka retries each absent peer about once a second (the gate); 3.5 s would print each warning 3-4 times.
        DateTime? first = null;
        var lines = await HostProcess.StartupLines(line =>
        {
            if (!DateTime.TryParse(line.Split(' ')[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var at)) return false;
            first ??= at;
            return at - first >= TimeSpan.FromSeconds(3.5);
        });
        foreach (var port in new[] { 4072, 4073 })
        {
            var gated = lines.Count(l => l.Contains($"Tried to associate with unreachable remote address [akka.tcp://hotstandby@127.0.0.1:{port}]"));
            Assert.Equal(1, gated);
        }
        Assert.Contains(lines, l => l.Contains("pre-vote for epoch 1 timed out")); // the node's own lines still come
    }
}
