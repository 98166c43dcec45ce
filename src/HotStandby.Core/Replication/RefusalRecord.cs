namespace HotStandby.Core.Replication;

/// <summary>
/// The latest reason a node refused a primary's entries, for /status and the log. A primary retries every few
/// milliseconds, so a reason is logged once, when it is new, and the status text (when it was first and last seen)
/// is refreshed at most once a second. Not thread-safe: one owner.
/// </summary>
public sealed class RefusalRecord
{
    private const long RefreshMs = 1000;
    private string? _line;
    private DateTime _firstUtc;
    private long _notedMs;

    /// <summary>The refusal with when it was first and last seen, or null before the first.</summary>
    public string? Text { get; private set; }

    /// <returns>NewReason: log the line; TextChanged: <see cref="Text"/> moved (publish it)</returns>
    public (bool NewReason, bool TextChanged) Note(string line, long nowMs, DateTime utcNow)
    {
        var newReason = line != _line;
        if (newReason)
        {
            _line = line;
            _firstUtc = utcNow;
        }
        else if (nowMs - _notedMs < RefreshMs) return (false, false);
        _notedMs = nowMs;
        Text = $"{line} (first {_firstUtc:HH:mm:ss.fff}, last {utcNow:HH:mm:ss.fff} UTC)";
        return (newReason, true);
    }
}
