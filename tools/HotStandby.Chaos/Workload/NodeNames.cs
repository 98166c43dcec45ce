namespace HotStandby.Chaos.Workload;

/// <summary>Maps a node's base URL back to its id (the urls are given in the order a, b, w).</summary>
internal static class NodeNames
{
    public static string Of(IReadOnlyList<string> urls, string url)
    {
        for (var i = 0; i < urls.Count; i++)
            if (string.Equals(urls[i].TrimEnd('/'), url.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)) return Faults.FaultPlanner.AllNodes[i];
        return url;
    }
}
