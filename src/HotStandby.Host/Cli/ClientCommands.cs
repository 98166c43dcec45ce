using System.Net;
using System.Text;
using System.Text.Json;

namespace HotStandby.Host.Cli;

/// <summary><c>hotstandby status</c> and <c>hotstandby switchover</c>: clients of a node's HTTP API.</summary>
public static class ClientCommands
{
    public const string DefaultEndpoint = "http://127.0.0.1:8080";

    public static async Task<int> StatusAsync(string endpoint, bool json)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string body;
        try
        {
            body = await http.GetStringAsync($"{endpoint.TrimEnd('/')}/status");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"hotstandby: {endpoint}/status: {e.Message}");
            return 1;
        }
        if (json)
        {
            Console.Out.WriteLine(body);
            return 0;
        }
        Console.Out.Write(Render(JsonDocument.Parse(body).RootElement));
        return 0;
    }

    /// <summary>The pair at a glance: this node, then each peer as this node sees it.</summary>
    public static string Render(JsonElement s)
    {
        var sb = new StringBuilder();
        string Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "-";
        var replication = s.GetProperty("replication");
        sb.AppendLine($"{"NODE",-10} {"ROLE",-9} {"EPOCH",6} {"REACHABLE",-10} {"LOG",8} {"LAG",6} {"LAST HEARD",11}");
        sb.AppendLine($"{Str(s, "nodeId"),-10} {Str(s, "role"),-9} {Str(s, "epoch"),6} {"(self)",-10} {Str(s, "appliedIndex"),8} {Str(replication, "lagEntries"),6} {"-",11}");
        foreach (var p in s.GetProperty("peers").EnumerateArray())
        {
            var heard = p.TryGetProperty("lastHeartbeatMsAgo", out var h) && h.ValueKind == JsonValueKind.Number ? $"{h.GetInt64()} ms" : "never";
            sb.AppendLine($"{(Str(p, "nodeId") is "-" ? Str(p, "address") : Str(p, "nodeId")),-10} {Str(p, "role"),-9} {Str(p, "epoch"),6} {Str(p, "reachability"),-10} {Str(p, "logIndex"),8} {"",6} {heard,11}");
        }
        sb.AppendLine();
        sb.AppendLine($"primary: {Str(s, "primaryId")}   replication: {Str(replication, "mode")}, in sync: {Str(replication, "inSync")}, lag {Str(replication, "lagEntries")} entries / {Str(replication, "lagMs")} ms   failover: {Str(s.GetProperty("failover"), "mode")}   failback: {Str(s.GetProperty("failback"), "mode")}");
        sb.AppendLine($"log: commit {Str(s, "commitIndex")}, applied {Str(s, "appliedIndex")}" +
            (replication.TryGetProperty("standby", out var sb2) && sb2.ValueKind == JsonValueKind.String
                ? $"   standby {sb2.GetString()}: confirmed {Str(replication, "standbyMatchIndex")}, eligible {Str(replication, "standbyEligible")}" : ""));
        if (s.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("lastDivergence", out var div) && div.ValueKind == JsonValueKind.String)
            sb.AppendLine($"divergence: {div.GetString()}");
        if (replication.TryGetProperty("lastRefusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
            sb.AppendLine($"last refusal: {refusal.GetString()}");
        if (s.GetProperty("failback").TryGetProperty("pending", out var pending) && pending.ValueKind == JsonValueKind.String)
            sb.AppendLine($"failback pending: {pending.GetString()}");
        if (s.TryGetProperty("lastRoleChange", out var change) && change.ValueKind == JsonValueKind.Object)
            sb.AppendLine($"last role change: {Str(change, "at")} [{Str(change, "from")} -> {Str(change, "to")}] epoch {Str(change, "epoch")}: {Str(change, "reason")}");
        return sb.ToString();
    }

    public static async Task<int> SwitchoverAsync(string endpoint, string? target)
    {
        // Follows the 307 from a standby to the primary (POST preserved).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var url = $"{endpoint.TrimEnd('/')}/admin/switchover{(target is null ? "" : $"?to={WebUtility.UrlEncode(target)}")}";
        try
        {
            using var response = await http.PostAsync(url, content: null);
            var body = await response.Content.ReadAsStringAsync();
            var doc = string.IsNullOrWhiteSpace(body) ? default : JsonDocument.Parse(body).RootElement;
            if (response.IsSuccessStatusCode)
            {
                Console.Out.WriteLine(doc.ValueKind == JsonValueKind.Object && doc.TryGetProperty("message", out var m) ? m.GetString() : body);
                return 0;
            }
            var error = doc.ValueKind == JsonValueKind.Object && doc.TryGetProperty("error", out var e) ? e.GetString() : body;
            Console.Error.WriteLine($"hotstandby: switchover refused ({(int)response.StatusCode}): {error}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"hotstandby: {url}: {e.Message}");
            return 1;
        }
    }
}
