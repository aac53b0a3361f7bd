using Executus.Fanout;
using Executus.Models;

namespace Gadfly;

/// <summary>Runs the models × lenses grid through <see cref="FanOutRunner"/> and merges what the cells found.</summary>
public static class ReviewRunner
{
    /// <summary>Reviews <paramref name="diff"/> with every model under every lens.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="models">The grid rows.</param>
    /// <param name="settings">Lenses, concurrency, timeout, tries and the fail-on policy.</param>
    /// <param name="scripted">Whether the models are the scripted offline ones (reported in the output).</param>
    /// <param name="timeProvider">The clock for cell timeouts; the system clock when null.</param>
    /// <param name="cancellationToken">Cancels the review.</param>
    /// <returns>The outcome.</returns>
    public static async Task<ReviewOutcome> RunAsync(
        UnifiedDiff diff,
        IReadOnlyList<ReviewModel> models,
        GadflySettings settings,
        bool scripted,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(settings);

        FanOutResult<IReadOnlyList<Finding>> grid = await FanOutRunner.RunAsync<ReviewModel, Lens, IReadOnlyList<Finding>>(
            models,
            settings.Lenses,
            async (model, lens, ct) =>
            {
                StructuredOutputResult<Review> answer = await model.Client.GenerateAsync(
                    ReviewPrompt.Build(diff, lens),
                    new StructuredOutputOptions<Review> { MaxAttempts = settings.MaxAttempts, Validator = r => ReviewValidator.Validate(r, diff) },
                    chatOptions: null,
                    ct);

                // Why: the cell knows its lens; a model that mislabels it must not move a finding to another rule.
                Finding[] findings = [.. answer.Value.Findings.Select(f => f with { Lens = lens.Name, Severity = f.Severity.Trim().ToLowerInvariant() })];
                return new FanOutValue<IReadOnlyList<Finding>>(findings, answer.Usage);
            },
            new FanOutOptions { MaxConcurrency = settings.MaxConcurrency, CellTimeout = settings.CellTimeout, TimeProvider = timeProvider },
            cancellationToken);

        var reported = new List<ModelFinding>();
        var failures = new List<CellFailure>();
        foreach (FanOutCell<IReadOnlyList<Finding>> cell in grid.Cells)
        {
            string model = models[cell.Row].Name;
            if (cell.Succeeded)
            {
                reported.AddRange(cell.Value!.Select(f => new ModelFinding(model, f)));
            }
            else
            {
                failures.Add(new CellFailure(model, settings.Lenses[cell.Column].Name, cell.Status.ToString(), cell.Error?.Message ?? cell.Status.ToString()));
            }
        }

        return new ReviewOutcome
        {
            Diff = diff,
            Models = [.. models.Select(m => m.Name)],
            Lenses = settings.Lenses,
            Scripted = scripted,
            Findings = FindingMerger.Merge(reported),
            Failures = failures,
            SucceededCells = grid.SucceededCount,
            Usage = grid.Usage,
            FailOn = settings.FailOn,
        };
    }
}
