using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>Where Kestrel listens when the data loop owns the port: it accepts the connections the loop hands over.</summary>
public sealed class HandOverEndPoint : EndPoint
{
    public override string ToString() => "connections handed over by the data loop";
}

/// <summary>
/// Kestrel's transport for <see cref="HandOverEndPoint"/>: each connection the loop hands over becomes Kestrel's
/// socket connection, and Kestrel reads first what the loop had already read from it.
/// </summary>
public sealed class HandOverTransport : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly Channel<ConnectionContext> _accepted = Channel.CreateUnbounded<ConnectionContext>(new UnboundedChannelOptions { SingleReader = false });
    private readonly SocketConnectionContextFactory _sockets =
        new(new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true }, NullLogger.Instance);

    public bool CanBind(EndPoint endpoint) => endpoint is HandOverEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new(new Listener(endpoint, _accepted));

    /// <param name="alreadyRead">what the loop read and did not serve: Kestrel's connection starts with these bytes</param>
    public void Accept(Socket socket, byte[] alreadyRead)
    {
        var connection = new ReplayConnection(_sockets.Create(socket), alreadyRead);
        if (!_accepted.Writer.TryWrite(connection)) _ = connection.DisposeAsync().AsTask();
    }

    public void Dispose()
    {
        _accepted.Writer.TryComplete();
        _sockets.Dispose();
    }

    private sealed class Listener(EndPoint endpoint, Channel<ConnectionContext> accepted) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await accepted.Reader.ReadAsync(cancellationToken);
            }
            catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
            {
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            accepted.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => UnbindAsync();
    }

    /// <summary>Kestrel's socket connection, whose input first replays the bytes the loop read.</summary>
    private sealed class ReplayConnection : ConnectionContext
    {
        private readonly ConnectionContext _inner;
        private readonly Pipe _input = new();

        public ReplayConnection(ConnectionContext inner, byte[] alreadyRead)
        {
            _inner = inner;
            Transport = new DuplexPipe(_input.Reader, inner.Transport.Output);
            _ = Pump(alreadyRead);
        }

        private async Task Pump(byte[] alreadyRead)
        {
            Exception? error = null;
            try
            {
                var flushed = await _input.Writer.WriteAsync(alreadyRead);
                while (!flushed.IsCompleted)
                {
                    var read = await _inner.Transport.Input.ReadAsync();
                    foreach (var segment in read.Buffer) _input.Writer.Write(segment.Span);
                    _inner.Transport.Input.AdvanceTo(read.Buffer.End);
                    flushed = await _input.Writer.FlushAsync();
                    if (read.IsCompleted || read.IsCanceled) break;
                }
            }
            catch (Exception e)
            {
                error = e;
            }
            await _input.Writer.CompleteAsync(error);
            await _inner.Transport.Input.CompleteAsync();
        }

        public override IDuplexPipe Transport { get; set; }
        public override string ConnectionId { get => _inner.ConnectionId; set => _inner.ConnectionId = value; }
        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features => _inner.Features;
        public override IDictionary<object, object?> Items { get => _inner.Items; set => _inner.Items = value; }
        public override CancellationToken ConnectionClosed { get => _inner.ConnectionClosed; set => _inner.ConnectionClosed = value; }
        public override EndPoint? LocalEndPoint { get => _inner.LocalEndPoint; set => _inner.LocalEndPoint = value; }
        public override EndPoint? RemoteEndPoint { get => _inner.RemoteEndPoint; set => _inner.RemoteEndPoint = value; }
        public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);
        public override ValueTask DisposeAsync() => _inner.DisposeAsync();

        private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input { get; } = input;
            public PipeWriter Output { get; } = output;
        }
    }
}
