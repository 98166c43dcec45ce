using System.Buffers;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>A connection's answers not yet written to its socket: appended at the end, sent from the front.</summary>
internal sealed class OutputBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[4096];
    private int _start, _end;

    public int Pending => _end - _start;

    public ReadOnlySpan<byte> Unsent => _buffer.AsSpan(_start, _end - _start);

    public void Consume(int sent)
    {
        _start += sent;
        if (_start == _end) _start = _end = 0;
    }

    public void Advance(int count) => _end += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_end);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_end);
    }

    private void Reserve(int sizeHint)
    {
        var need = Math.Max(sizeHint, 1);
        if (_buffer.Length - _end >= need) return;
        var pending = _end - _start;
        var target = _buffer.Length;
        while (target - pending < need) target *= 2;
        var next = target == _buffer.Length ? _buffer : new byte[target];
        Buffer.BlockCopy(_buffer, _start, next, 0, pending);
        _buffer = next;
        _start = 0;
        _end = pending;
    }
}
