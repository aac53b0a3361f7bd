using Executus.Configuration;
using Executus.Runs;
using Microsoft.Extensions.AI;

namespace Executus.Critics;

/// <summary>
/// The default <see cref="IProgressReviewer"/>: deterministic rules over the transcript, no model call. No progress =
/// the same tool call with the same arguments repeating (<see cref="RepeatedCalls"/> times among the recent calls),
/// tool errors piling up (<see cref="ToolErrors"/> failed results among the recent ones), or no new assistant text for
/// <see cref="SilentIterations"/> model turns. No progress → <see cref="NoProgressVerdict"/> (Escalate by default);
/// progress → Extend by <see cref="Extension"/> (the critic caps it).
/// </summary>
public sealed class RuleBasedReviewer : IProgressReviewer
{
    /// <summary>The configuration prefix.</summary>
    public const string ConfigPrefix = "Executus:Critic:Rules:";

    /// <summary>Gets or sets how often one call (name + arguments) may appear among the last <see cref="Window"/> calls (<c>RepeatedCalls</c>, default 3).</summary>
    public int RepeatedCalls { get; set; } = 3;

    /// <summary>Gets or sets how many failed tool results among the last <see cref="Window"/> mean no progress (<c>ToolErrors</c>, default 3).</summary>
    public int ToolErrors { get; set; } = 3;

    /// <summary>Gets or sets how many model turns without new assistant text mean no progress (<c>SilentIterations</c>, default 8).</summary>
    public int SilentIterations { get; set; } = 8;

    /// <summary>Gets or sets how many recent tool calls and results the rules look at (<c>Window</c>, default 10).</summary>
    public int Window { get; set; } = 10;

    /// <summary>Gets or sets the extension asked for a run that makes progress (<c>Extension</c>, default 5 minutes).</summary>
    public TimeSpan Extension { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets what a run without progress gets (<c>NoProgress</c>: <c>Escalate</c> (default) or <c>Stop</c>).</summary>
    public CriticVerdictKind NoProgressVerdict { get; set; } = CriticVerdictKind.Escalate;

    /// <summary>Reads the settings from <paramref name="config"/>.</summary>
    /// <param name="config">The configuration.</param>
    /// <returns>The reviewer.</returns>
    /// <exception cref="ConfigException">A value is malformed or out of range.</exception>
    public static RuleBasedReviewer FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var reviewer = new RuleBasedReviewer();
        reviewer.RepeatedCalls = config.GetInt(ConfigPrefix + "RepeatedCalls", reviewer.RepeatedCalls, min: 2);
        reviewer.ToolErrors = config.GetInt(ConfigPrefix + "ToolErrors", reviewer.ToolErrors, min: 1);
        reviewer.SilentIterations = config.GetInt(ConfigPrefix + "SilentIterations", reviewer.SilentIterations, min: 1);
        reviewer.Window = config.GetInt(ConfigPrefix + "Window", reviewer.Window, min: 2, max: 1000);
        reviewer.Extension = config.GetDuration(ConfigPrefix + "Extension", reviewer.Extension, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        CriticVerdictKind kind = config.GetEnum(ConfigPrefix + "NoProgress", reviewer.NoProgressVerdict);
        if (kind is not (CriticVerdictKind.Escalate or CriticVerdictKind.Stop))
        {
            throw new ConfigException(ConfigPrefix + "NoProgress", kind.ToString(), "must be Escalate or Stop");
        }

        reviewer.NoProgressVerdict = kind;
        return reviewer;
    }

    /// <inheritdoc />
    public ValueTask<CriticVerdict> ReviewAsync(ProgressReview review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        string? problem = FindProblem(review.Run.Messages);
        CriticVerdict verdict = problem is null
            ? CriticVerdict.Extend(Extension, "The run is making progress.")
            : NoProgressVerdict == CriticVerdictKind.Stop ? CriticVerdict.Stop(problem) : CriticVerdict.Escalate(problem);
        return ValueTask.FromResult(verdict);
    }

    /// <summary>Returns why the transcript shows no progress, or null when it does.</summary>
    /// <param name="messages">The conversation.</param>
    /// <returns>The reason, or null.</returns>
    public string? FindProblem(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var calls = new List<FunctionCallContent>();
        var results = new List<FunctionResultContent>();
        int silentTurns = 0;
        bool sawText = false;
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            ChatMessage message = messages[i];
            if (message.Role == ChatRole.Assistant && !sawText)
            {
                if (string.IsNullOrWhiteSpace(message.Text))
                {
                    silentTurns++;
                }
                else
                {
                    sawText = true;
                }
            }

            for (int c = message.Contents.Count - 1; c >= 0; c--)
            {
                switch (message.Contents[c])
                {
                    case FunctionCallContent call when calls.Count < Window:
                        calls.Add(call);
                        break;
                    case FunctionResultContent result when results.Count < Window:
                        results.Add(result);
                        break;
                }
            }
        }

        var repeated = calls.GroupBy(TranscriptText.Fingerprint, StringComparer.Ordinal).Select(g => (Call: g.First(), Count: g.Count())).OrderByDescending(g => g.Count).FirstOrDefault();
        if (repeated.Count >= RepeatedCalls)
        {
            return $"No progress: the tool '{repeated.Call.Name}' was called {repeated.Count} times with the same arguments in the last {calls.Count} calls.";
        }

        int errors = results.Count(r => r.Exception is not null);
        if (errors >= ToolErrors)
        {
            return $"No progress: {errors} of the last {results.Count} tool calls failed.";
        }

        if (silentTurns >= SilentIterations)
        {
            return $"No progress: no new text from the model for {silentTurns} turns.";
        }

        return null;
    }
}
