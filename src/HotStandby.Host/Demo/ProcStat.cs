namespace HotStandby.Host.Demo;

/// <summary>
/// Fields of <c>/proc/PID/stat</c> (Linux). The process name in field 2 may hold spaces and parentheses, so fields are
/// counted after its last <c>)</c>; <see cref="Field"/> takes the 1-based field numbers of <c>man 5 proc</c>.
/// </summary>
public static class ProcStat
{
    /// <returns>the fields from 3 (state) on, or null when no such process runs (or not on Linux)</returns>
    public static string[]? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Field <paramref name="number"/> (1-based, 3 or above) of a line read by <see cref="Read"/>.</summary>
    public static string Field(string[] fromState, int number) => fromState[number - 3];
}
