using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Executus.Tools.Tests;

/// <summary>A raw HTTP/1.1 server on 127.0.0.1 answering each request with a canned response chosen by path.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<string, string, Task<LoopbackResponse>> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public LoopbackServer(Func<string, string, Task<LoopbackResponse>> respond)
    {
        _respond = respond;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoopAsync);
    }

    public LoopbackServer(Func<string, string, LoopbackResponse> respond)
        : this((method, path) => Task.FromResult(respond(method, path)))
    {
    }

    public int Port { get; }

    public int Requests => Volatile.Read(ref _requests);

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string head = await ReadHeadAsync(stream);
                string[] requestLine = head.Split("\r\n")[0].Split(' ');
                Interlocked.Increment(ref _requests);
                LoopbackResponse response = await _respond(requestLine[0], requestLine[1]);
                StringBuilder builder = new();
                builder.Append($"HTTP/1.1 {response.Status} {response.Reason}\r\n");
                builder.Append($"Content-Type: {response.ContentType}\r\n");
                foreach ((string name, string value) in response.Headers)
                {
                    builder.Append($"{name}: {value}\r\n");
                }

                if (!response.OmitContentLength)
                {
                    builder.Append($"Content-Length: {response.Body.Length}\r\n");
                }

                builder.Append("Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(builder.ToString()), _stop.Token);
                if (requestLine[0] != "HEAD")
                {
                    await stream.WriteAsync(response.Body, _stop.Token);
                }

                await stream.FlushAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        List<byte> bytes = [];
        byte[] one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            bytes.Add(one[0]);
            int n = bytes.Count;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
            {
                break;
            }
        }

        return Encoding.ASCII.GetString([.. bytes]);
    }
}

internal sealed record LoopbackResponse(int Status, string ContentType, byte[] Body)
{
    public LoopbackResponse(int status, string contentType, string body)
        : this(status, contentType, Encoding.UTF8.GetBytes(body))
    {
    }

    public string Reason { get; init; } = "OK";

    public IReadOnlyList<(string Name, string Value)> Headers { get; init; } = [];

    /// <summary>Sends the body until the connection closes, without a Content-Length header.</summary>
    public bool OmitContentLength { get; init; }
}
