using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Executus.Examples.Tests;

/// <summary>
/// A loopback (127.0.0.1) OpenAI-compatible chat-completions endpoint: each request's assistant content is computed from
/// the request body. Records the bodies. No network beyond loopback.
/// </summary>
internal sealed class OpenAICompatibleStub : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<string, string> _content;
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly Task _loop;

    public OpenAICompatibleStub(Func<string, string> content)
    {
        _content = content;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/v1/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<string> Bodies => [.. _bodies];

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            _bodies.Enqueue(body);
            var completion = new JsonObject
            {
                ["id"] = $"chatcmpl-{_bodies.Count}",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = JsonNode.Parse(body)?["model"]?.GetValue<string>() ?? "unknown",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = _content(body) },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 20, ["total_tokens"] = 120 },
            };
            byte[] bytes = Encoding.UTF8.GetBytes(completion.ToJsonString());
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);
}
