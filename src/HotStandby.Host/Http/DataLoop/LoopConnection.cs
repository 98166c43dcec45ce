namespace HotStandby.Host.Http.DataLoop;

/// <summary>One client connection the data loop owns: its unparsed bytes, its answers in request order, what is unsent.</summary>
internal sealed class LoopConnection(ulong id, int fd)
{
    /// <summary>Requests in flight on one connection before the loop stops reading it until answers drain.</summary>
    public const int MaxInFlight = 256;

    public ulong Id { get; } = id;
    public int Fd { get; } = fd;
    private const int InitialInput = 16384;
    public byte[] Input = new byte[InitialInput];
    public int InputLength;
    public readonly OutputBuffer Output = new();
    public readonly Queue<PendingAnswer> Answers = new();
    /// <summary>The epoll events registered for it now.</summary>
    public uint Interest = Libc.EpollIn;
    /// <summary>A request the loop does not serve has arrived: once the answers before it are sent, Kestrel takes over.</summary>
    public bool HandingOver;
    /// <summary>The client closed its side: close ours once every answer is sent.</summary>
    public bool PeerClosed;
    public bool Closed;
    /// <summary>Waiting for a new incarnation's store to be resolved before its requests start.</summary>
    public bool AwaitingStore;
    /// <summary>Already in the loop's list of connections with answers to send.</summary>
    public bool Dirty;

    /// <summary>When the client last sent something (<see cref="Environment.TickCount64"/>).</summary>
    public long LastReceivedMs;

    public bool Backpressured => Answers.Count >= MaxInFlight;

    public void Consume(int bytes)
    {
        if (bytes == 0) return;
        Buffer.BlockCopy(Input, bytes, Input, 0, InputLength - bytes);
        InputLength -= bytes;
        if (InputLength == 0 && Input.Length > InitialInput) Input = new byte[InitialInput]; // a large value's buffer is not kept
    }

    /// <summary>Room for at least one more read, growing the buffer when a request is larger than it.</summary>
    public void MakeRoom()
    {
        if (InputLength < Input.Length) return;
        Array.Resize(ref Input, Input.Length * 2);
    }
}
