using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Executus.Testing.Conformance;

/// <summary>
/// A loopback HTTP server on 127.0.0.1 (a free port) that answers each request with the next queued
/// <see cref="CannedResponse"/> and records the requests. Requests are served concurrently, so a hanging response does
/// not hold up the next one. No network beyond loopback is used.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<CannedResponse> _responses = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private int _disposed;

    /// <summary>Starts a server.</summary>
    public LoopbackHttpServer()
    {
        int port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Gets the server's address, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the requests received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Queues responses, sent in order to the next requests.</summary>
    /// <param name="responses">The responses.</param>
    /// <returns>This server.</returns>
    public LoopbackHttpServer Enqueue(params CannedResponse[] responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        foreach (CannedResponse response in responses)
        {
            _responses.Enqueue(response ?? throw new ArgumentException("A response is null.", nameof(responses)));
        }

        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopped.TrySetResult();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync().ConfigureAwait(false);
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? name in context.Request.Headers.AllKeys)
            {
                if (name is not null)
                {
                    headers[name] = context.Request.Headers[name] ?? string.Empty;
                }
            }

            Uri url = context.Request.Url!;
            _requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, url.AbsolutePath, url.Query, headers, body));
            CannedResponse response = _responses.TryDequeue(out CannedResponse? next)
                ? next
                : new CannedResponse(599, """{"error":"the loopback server has no canned response left"}""");
            if (response.Hang)
            {
                await _stopped.Task.ConfigureAwait(false);
                context.Response.Abort();
                return;
            }

            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            foreach (KeyValuePair<string, string> header in response.Headers)
            {
                context.Response.Headers[header.Key] = header.Value;
            }

            byte[] bytes = Encoding.UTF8.GetBytes(response.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The client went away (a timeout test) or the server is stopping.
        }
    }
}
