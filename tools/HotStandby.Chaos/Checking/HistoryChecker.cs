using HotStandby.Chaos.Workload;

namespace HotStandby.Chaos.Checking;

/// <summary>
/// Judges a chaos run from the outside: only what clients saw, what /status said, and what the data directories hold
/// at the end. Every check is sound under unknown timing: an acknowledgement happened somewhere inside its
/// operation's [start, end], so only operations that did not overlap in real time are compared.
/// </summary>
public static class HistoryChecker
{
    public static CheckReport Check(CheckInput input)
    {
        var violations = new List<Violation>();
        var writes = input.Ops.Where(o => o.Kind == OpKind.Write).ToList();
        var acked = writes.Where(o => o.Outcome == Outcome.Ok).ToList();
        var reads = input.Ops.Where(o => o.Kind == OpKind.Read).ToList();

        var lost = CheckLost(input, acked, violations);
        var intervals = CheckAckOrder(acked, violations);
        CheckEpochsGrow(input.Samples, violations);
        var (sampled, diverged) = CheckDiverged(input, violations);
        var (primaryReads, stale) = CheckReads(acked, reads, input.SyncMode, violations);
        var index = new AckIndex(acked);
        var recoveries = Recoveries(input.Faults, index);
        var final = index.FirstAckStartedAfter(input.LastHealMs) is { } f ? f.EndMs - input.LastHealMs : (long?)null;
        if (final is null)
            violations.Add(new Violation("no-recovery", $"no write started after the last heal (t={input.LastHealMs} ms) was acknowledged"));
        else if (final > input.RecoveryBoundMs)
            violations.Add(new Violation("slow-recovery", $"the first write after the last heal was acknowledged after {final} ms, over the bound of {input.RecoveryBoundMs} ms"));

        return new CheckReport(writes.Count, acked.Count, writes.Count - acked.Count, lost, reads.Count, primaryReads, stale,
            intervals, diverged, sampled, recoveries, final, input.RecoveryBoundMs, violations);
    }

    /// <summary>Every acknowledged write is on the final primary with its value (a violation only in sync mode).</summary>
    private static int CheckLost(CheckInput input, List<OpRecord> acked, List<Violation> violations)
    {
        if (input.FinalPrimary is null || !input.Data.TryGetValue(input.FinalPrimary, out var primary))
        {
            violations.Add(new Violation("no-final-primary", "no data node served writes at the end, so nothing could be checked against it"));
            return 0;
        }
        var lost = 0;
        foreach (var w in acked)
        {
            if (primary.Values.TryGetValue(w.Key, out var value) && value == w.Value) continue;
            lost++;
            if (!input.SyncMode) continue;
            var where = input.Data.Values.Where(d => d.DivergedKeys.Contains(w.Key)).Select(d => $"{d.Node}'s diverged/").ToList();
            violations.Add(new Violation("lost-write",
                $"{w.Key} acknowledged by {w.Node} at {w.Epoch}:{w.Index} (t={w.StartMs}..{w.EndMs} ms) is {(value is null ? "missing" : "different")} on the final primary {primary.Node}" +
                (where.Count > 0 ? $"; found in {string.Join(", ", where)}" : "")));
        }
        return lost;
    }

    /// <summary>
    /// Real-time order of acknowledgements: a write that started after another had been acknowledged must carry a higher
    /// (epoch, index). An older epoch acknowledging after a newer one has is two primaries accepting writes at once.
    /// One epoch belongs to one node.
    /// </summary>
    private static List<(long, long)> CheckAckOrder(List<OpRecord> acked, List<Violation> violations)
    {
        var intervals = new List<(long From, long To)>();
        foreach (var g in acked.GroupBy(w => w.Epoch).Where(g => g.Select(w => w.Node).Distinct().Count() > 1))
            violations.Add(new Violation("split-brain", $"epoch {g.Key} acknowledged writes from {string.Join(" and ", g.Select(w => w.Node).Distinct())}"));
        var byEnd = acked.OrderBy(w => w.EndMs).ToList();
        var byStart = acked.OrderBy(w => w.StartMs).ToList();
        OpRecord? highest = null;
        var j = 0;
        foreach (var w in byStart)
        {
            for (; j < byEnd.Count && byEnd[j].EndMs < w.StartMs; j++)
                if (highest is null || Compare(byEnd[j], highest) > 0) highest = byEnd[j];
            if (highest is null || Compare(w, highest) > 0) continue;
            if (w.Epoch < highest.Epoch)
            {
                intervals.Add((highest.EndMs, w.EndMs));
                violations.Add(new Violation("split-brain",
                    $"{w.Node} acknowledged {w.Key} at {w.Epoch}:{w.Index} (t={w.StartMs}..{w.EndMs} ms) after {highest.Node} had acknowledged {highest.Key} at {highest.Epoch}:{highest.Index} (by t={highest.EndMs} ms)"));
            }
            else
            {
                violations.Add(new Violation("order",
                    $"{w.Key} acknowledged at {w.Epoch}:{w.Index} (t={w.StartMs}..{w.EndMs} ms) is not after {highest.Key} at {highest.Epoch}:{highest.Index}, acknowledged by t={highest.EndMs} ms"));
            }
        }
        return Merge(intervals);
    }

    private static int Compare(OpRecord x, OpRecord y) => x.Epoch != y.Epoch ? x.Epoch.CompareTo(y.Epoch) : x.Index.CompareTo(y.Index);

    private static List<(long, long)> Merge(List<(long From, long To)> intervals)
    {
        var merged = new List<(long From, long To)>();
        foreach (var i in intervals.OrderBy(i => i.From))
            if (merged.Count > 0 && i.From <= merged[^1].To) merged[^1] = (merged[^1].From, Math.Max(merged[^1].To, i.To));
            else merged.Add(i);
        return merged;
    }

    /// <summary>A node's epoch, as its /status reports it over the run, never goes down (it is durable).</summary>
    private static void CheckEpochsGrow(IReadOnlyList<StatusSample> samples, List<Violation> violations)
    {
        foreach (var g in samples.GroupBy(s => s.Node))
        {
            StatusSample? previous = null;
            foreach (var s in g.OrderBy(s => s.AtMs))
            {
                if (previous is not null && s.Epoch < previous.Epoch)
                    violations.Add(new Violation("epoch-went-back", $"{s.Node} reported epoch {s.Epoch} at t={s.AtMs} ms after epoch {previous.Epoch} at t={previous.AtMs} ms"));
                previous = s;
            }
        }
    }

    /// <summary>
    /// Every durable log position a data node reported is either in the final primary's log (same index, same epoch) or
    /// in that node's diverged/ files: nothing a node held disappears without a trace.
    /// </summary>
    private static (int Sampled, int Diverged) CheckDiverged(CheckInput input, List<Violation> violations)
    {
        var diverged = input.Data.Values.Sum(d => d.Diverged.Count);
        if (input.FinalPrimary is null || !input.Data.TryGetValue(input.FinalPrimary, out var primary)) return (0, diverged);
        var positions = input.Samples.Where(s => input.Data.ContainsKey(s.Node) && s.LastLogIndex > 0)
            .GroupBy(s => (s.Node, s.LastLogEpoch, s.LastLogIndex)).Select(g => g.First()).ToList();
        foreach (var s in positions)
        {
            if (primary.EpochAt(s.LastLogIndex) == s.LastLogEpoch) continue;
            if (input.Data[s.Node].Diverged.Contains((s.LastLogEpoch, s.LastLogIndex))) continue;
            violations.Add(new Violation("discarded",
                $"{s.Node} held entry {s.LastLogEpoch}:{s.LastLogIndex} at t={s.AtMs} ms; the final primary {primary.Node} has " +
                $"{(primary.EpochAt(s.LastLogIndex) is var e and >= 0 ? $"epoch {e} there" : "no entry there")} and {s.Node}'s diverged/ files do not list it"));
        }
        return (positions.Count, diverged);
    }

    /// <summary>
    /// Reads the primary served under its lease: a key acknowledged before the read started is there with its value,
    /// and the applied index never goes back between reads that did not overlap. In async mode the standby may be
    /// promoted without the old primary's last writes, so these hold only within an epoch: a later epoch's primary may
    /// miss such a write and serve from a lower applied index (the writes are then lost, or come back when the old
    /// primary's log wins a later election; what the loser held must be in its diverged/ either way).
    /// </summary>
    private static (int PrimaryReads, int Stale) CheckReads(List<OpRecord> acked, List<OpRecord> reads, bool sync, List<Violation> violations)
    {
        var writesByKey = acked.GroupBy(w => w.Key).ToDictionary(g => g.Key, g => g.OrderBy(w => w.EndMs).First());
        var served = reads.Where(r => r.ServedByPrimary && r.Outcome is Outcome.Ok or Outcome.NotFound).ToList();
        var stale = 0;
        foreach (var r in served)
        {
            if (!writesByKey.TryGetValue(r.Key, out var w) || w.EndMs >= r.StartMs) continue;
            if (r.Outcome == Outcome.Ok && r.Value == w.Value) continue;
            if (!sync && r.Epoch > w.Epoch) continue;
            stale++;
            violations.Add(new Violation("stale-read",
                $"{r.Node} (primary, epoch {r.Epoch}, applied {r.Index}) answered {r.Status} for {r.Key} at t={r.StartMs}..{r.EndMs} ms, acknowledged at {w.Epoch}:{w.Index} by t={w.EndMs} ms"));
        }
        var byEnd = served.OrderBy(r => r.EndMs).ToList();
        OpRecord? freshest = null;
        var j = 0;
        foreach (var r in served.OrderBy(r => r.StartMs))
        {
            for (; j < byEnd.Count && byEnd[j].EndMs < r.StartMs; j++)
                if (freshest is null || byEnd[j].Index > freshest.Index) freshest = byEnd[j];
            if (freshest is null || r.Index >= freshest.Index) continue;
            if (!sync && r.Epoch > freshest.Epoch) continue;
            stale++;
            violations.Add(new Violation("read-went-back",
                $"{r.Node} served a read at applied index {r.Index} (t={r.StartMs} ms) after {freshest.Node} had served one at {freshest.Index} (by t={freshest.EndMs} ms)"));
        }
        return (served.Count, stale);
    }

    /// <summary>Acknowledged writes by start time, with the earliest acknowledgement among those starting at or after each.</summary>
    private sealed class AckIndex
    {
        private readonly long[] _starts;
        private readonly OpRecord?[] _firstEndFrom;
        public readonly long[] Ends;

        public AckIndex(List<OpRecord> acked)
        {
            var byStart = acked.OrderBy(w => w.StartMs).ToArray();
            _starts = byStart.Select(w => w.StartMs).ToArray();
            _firstEndFrom = new OpRecord?[byStart.Length + 1];
            for (var i = byStart.Length - 1; i >= 0; i--)
                _firstEndFrom[i] = _firstEndFrom[i + 1] is { } next && next.EndMs <= byStart[i].EndMs ? next : byStart[i];
            Ends = acked.Select(w => w.EndMs).Order().ToArray();
        }

        public OpRecord? FirstAckStartedAfter(long t) => _firstEndFrom[LowerBound(_starts, t)];

        public static int LowerBound(long[] sorted, long t)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (sorted[mid] < t) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    private static List<FaultRecovery> Recoveries(IReadOnlyList<AppliedFault> faults, AckIndex index) =>
        faults.Select(f =>
        {
            var first = index.FirstAckStartedAfter(f.HealedMs);
            long? recovery = first is null ? null : first.EndMs - f.HealedMs;
            var until = f.HealedMs + (recovery ?? 0);
            var gap = 0L;
            var last = f.AppliedMs;
            for (var i = AckIndex.LowerBound(index.Ends, f.AppliedMs + 1); i < index.Ends.Length && index.Ends[i] <= until; i++)
            {
                gap = Math.Max(gap, index.Ends[i] - last);
                last = index.Ends[i];
            }
            return new FaultRecovery(f.Fault, f.AppliedMs, f.HealedMs, recovery, Math.Max(gap, until - last));
        }).ToList();
}
