namespace HotStandby.Host.Configuration;

/// <summary>
/// Akka's HOCON parser silently accepts an unclosed brace or string, so a truncated file would start a node with half
/// its settings. This check finds unbalanced brackets and unterminated strings first and says where.
/// </summary>
public static class HoconSyntaxCheck
{
    /// <summary>Null when balanced, else the problem with its line and column.</summary>
    public static string? Find(string text)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        int line = 1, column = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            column++;
            if (c == '\n') { line++; column = 0; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                var (startLine, startColumn) = (line, column);
                var triple = i + 2 < text.Length && text[i + 1] == '"' && text[i + 2] == '"';
                var end = triple ? text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal) : ClosingQuote(text, i + 1);
                if (end < 0) return $"line {startLine}, column {startColumn}: unterminated string";
                var stop = triple ? end + 2 : end;
                for (; i < stop; i++)
                {
                    column++;
                    if (text[i + 1] == '\n') { line++; column = 0; }
                }
                continue;
            }
            if (c is '{' or '[') open.Push((c, line, column));
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0) return $"line {line}, column {column}: unexpected '{c}'";
                var top = open.Pop();
                if (top.Bracket != expected)
                    return $"line {line}, column {column}: '{c}' closes '{top.Bracket}' opened at line {top.Line}, column {top.Column}";
            }
        }
        return open.Count > 0 ? $"'{open.Peek().Bracket}' opened at line {open.Peek().Line}, column {open.Peek().Column} is never closed" : null;
    }

    /// <summary>Index of the quote closing a single-line string, or -1 (a newline or the end comes first).</summary>
    private static int ClosingQuote(string text, int from)
    {
        for (var j = from; j < text.Length; j++)
        {
            if (text[j] == '\\') { j++; continue; }
            if (text[j] == '"') return j;
            if (text[j] == '\n') return -1;
        }
        return -1;
    }
}
