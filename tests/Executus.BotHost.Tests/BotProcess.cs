using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Executus.BotHost.Tests;

/// <summary>The BotHost example as a real child process: its stdout lines, stderr, HTTP address, signals.</summary>
internal sealed partial class BotProcess : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private bool _disposed;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _lineAdded = new(0);

    private BotProcess(Process process) => _process = process;

    public HttpClient Http { get; } = new() { Timeout = Patience };

    public Uri? Url { get; private set; }

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static async Task<BotProcess> StartAsync(string stateDir, IReadOnlyDictionary<string, string> settings, bool http = true)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = stateDir,
        };
        start.ArgumentList.Add(BotDll);
        start.Environment["BotHost__StateDir"] = stateDir;
        start.Environment["BotHost__Channel"] = http ? "http" : "console";
        start.Environment["BotHost__Http__Url"] = "http://127.0.0.1:0";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("Executus__", StringComparison.Ordinal) || k.StartsWith("BotHost__Callers", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach ((string key, string value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var bot = new BotProcess(Process.Start(start)!);
        bot._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                bot._lines.Enqueue(e.Data);
                bot._lineAdded.Release();
            }
        };
        bot._process.ErrorDataReceived += (_, e) =>
        {
            lock (bot._stderr)
            {
                bot._stderr.AppendLine(e.Data);
            }
        };
        bot._process.BeginOutputReadLine();
        bot._process.BeginErrorReadLine();
        if (http)
        {
            string line = await bot.WaitForLineAsync(l => l.StartsWith("HTTP API listening on ", StringComparison.Ordinal));
            bot.Url = new Uri(UrlPattern().Match(line).Value);
            bot.Http.BaseAddress = bot.Url;
        }

        return bot;
    }

    public static Dictionary<string, string> Callers(params (string Id, string Key, string Roles)[] callers)
    {
        var settings = new Dictionary<string, string> { ["BotHost:Callers"] = string.Join(',', callers.Select(c => c.Id)) };
        foreach ((string id, string key, string roles) in callers)
        {
            settings[$"BotHost:Callers:{id}:KeySha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            settings[$"BotHost:Callers:{id}:Roles"] = roles;
        }

        return settings;
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        while (true)
        {
            if (_lines.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (_process.HasExited)
            {
                await Task.Delay(200); // Why: let the async readers drain what the process wrote before it ended.
                return _lines.FirstOrDefault(match) ?? throw new InvalidOperationException($"BotHost exited ({_process.ExitCode}) before the expected line.\nstdout:\n{string.Join('\n', _lines)}\nstderr:\n{Stderr}");
            }

            try
            {
                await _lineAdded.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching line.\nstdout:\n{string.Join('\n', _lines)}\nstderr:\n{Stderr}");
            }
        }
    }

    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    public void CloseInput() => _process.StandardInput.Close();

    public HttpRequestMessage Request(HttpMethod method, string path, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    public async Task<JsonElement> GetJsonAsync(string path, string key)
    {
        using HttpResponseMessage response = await Http.SendAsync(Request(HttpMethod.Get, path, key));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<JsonElement> CommandAsync(string command, string key)
    {
        using HttpResponseMessage response = await Http.SendAsync(Request(HttpMethod.Post, "/api/commands", key, new { command }));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{command}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Posts a chat message and reads the Server-Sent Events until the stream ends (or <paramref name="until"/> is seen).</summary>
    public async Task<List<SseEvent>> ChatAsync(string message, string key, Func<SseEvent, bool>? until = null)
    {
        using HttpRequestMessage request = Request(HttpMethod.Post, "/api/chat", key, new { message });
        using HttpResponseMessage response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.IsSuccessStatusCode, $"chat: {(int)response.StatusCode}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<SseEvent>();
        string? type = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var e = new SseEvent(type ?? "message", JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone());
                events.Add(e);
                if (until?.Invoke(e) == true)
                {
                    return events;
                }
            }
        }

        return events;
    }

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Terminate()
    {
        using Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        // Why: a test may stop a bot early (to restart it on the same data) inside its own await using.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Http.Dispose();
        _lineAdded.Dispose();
    }

    private static string BotDll
    {
        get
        {
            // Why: the test runs the example's own build output (same configuration as this test assembly).
            string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "examples", "BotHost", "bin", configuration, "net10.0", "BotHost.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"examples/BotHost/bin/{configuration}/net10.0/BotHost.dll not found above {AppContext.BaseDirectory}.");
        }
    }

    [GeneratedRegex(@"http://[0-9.]+:[0-9]+")]
    private static partial Regex UrlPattern();
}

internal sealed record SseEvent(string Type, JsonElement Data)
{
    public string? Get(string name) => Data.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
