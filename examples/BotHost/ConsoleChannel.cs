using BotHost.Http;
using Executus.Identity;
using Microsoft.Extensions.Hosting;

namespace BotHost;

/// <summary>
/// The console REPL (the default channel): one line in, the run's events and answer out. The console user is the
/// operator (<c>BotHost:Console:Caller</c>, roles <c>BotHost:Console:Roles</c>). End of input (Ctrl+D, a closed pipe)
/// stops the host gracefully, as Ctrl+C does.
/// </summary>
internal sealed class ConsoleChannel : BackgroundService
{
    private readonly ChatService _chat;
    private readonly CommandProcessor _commands;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly CallerIdentity _caller;
    private readonly string _banner;

    public ConsoleChannel(ChatService chat, CommandProcessor commands, IHostApplicationLifetime lifetime, BotOptions options, BotBanner banner)
    {
        _chat = chat;
        _commands = commands;
        _lifetime = lifetime;
        _caller = new CallerIdentity(options.ConsoleCaller, options.ConsoleCaller, roles: options.ConsoleRoles);
        _banner = banner.Text;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Why: let the host finish starting (recovery, the HTTP channel) before the prompt; Console.In blocks a thread.
        await Task.Yield();
        TextWriter output = Console.Out;
        await output.WriteLineAsync(_banner);
        await output.WriteLineAsync($"You are '{_caller.Id}'. Type /help for the commands, or talk to the bot. Ctrl+D or Ctrl+C to quit.");
        while (!stoppingToken.IsCancellationRequested)
        {
            string? line;
            try
            {
                // Why: a console read ignores cancellation; waiting on it (not in it) lets a shutdown end the loop.
                line = await Task.Run(Console.In.ReadLine, CancellationToken.None).WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (line is null)
            {
                _lifetime.StopApplication();
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                if (CommandProcessor.IsCommand(line))
                {
                    CommandResult result = await _commands.ExecuteAsync(_caller, line, stoppingToken);
                    await output.WriteLineAsync(result.Text);
                }
                else
                {
                    await foreach (RunEventView view in _chat.ChatAsync(_caller, line, stoppingToken))
                    {
                        if (view.ToLine() is { } text)
                        {
                            await output.WriteLineAsync(text);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (HttpApi.IsCallerError(ex))
            {
                await output.WriteLineAsync($"error: {ex.Message}");
            }
        }
    }
}
