namespace HotStandby.Host.Cli;

/// <summary>Command-line words, with the options a command allows.</summary>
public sealed class Arguments
{
    private readonly List<string> _words;

    public Arguments(IEnumerable<string> words) => _words = words.ToList();

    public bool Flag(string name) => _words.Remove(name);

    /// <summary>Every value of a repeatable option.</summary>
    public List<string> Values(string name)
    {
        var values = new List<string>();
        for (var i = _words.IndexOf(name); i >= 0; i = _words.IndexOf(name))
        {
            if (i + 1 >= _words.Count) throw new UsageException($"{name} needs a value");
            values.Add(_words[i + 1]);
            _words.RemoveRange(i, 2);
        }
        return values;
    }

    public string? Value(string name)
    {
        var values = Values(name);
        if (values.Count > 1) throw new UsageException($"{name} given {values.Count} times");
        return values.SingleOrDefault();
    }

    public void EnsureNoneLeft(string command)
    {
        if (_words.Count > 0) throw new UsageException($"{command}: unexpected '{_words[0]}'");
    }
}

public sealed class UsageException(string message) : Exception(message);
