using System.Globalization;
using Executus.Fanout;
using Executus.Models;
using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>Runs the models × lenses grid through <see cref="FanOutRunner"/> and merges what the cells found.</summary>
public static class ReviewRunner
{
    /// <summary>Reviews <paramref name="diff"/> with every model under every lens.</summary>
    /// <param name="diff">The diff.</param>
    /// <param name="models">The grid rows.</param>
    /// <param name="settings">Lenses, concurrency, timeout, tries and the fail-on policy.</param>
    /// <param name="scripted">Whether the models are the scripted offline ones (reported in the output).</param>
    /// <param name="timeProvider">The clock for cell timeouts and durations; the system clock when null.</param>
    /// <param name="progress">
    /// Where a line per finished cell goes (model, lens, status, seconds, which model answered) — stderr in the
    /// command, so a CI log shows the review moving; nothing when null.
    /// </param>
    /// <param name="cancellationToken">Cancels the review.</param>
    /// <returns>The outcome.</returns>
    public static async Task<ReviewOutcome> RunAsync(
        UnifiedDiff diff,
        IReadOnlyList<ReviewModel> models,
        GadflySettings settings,
        bool scripted,
        TimeProvider? timeProvider = null,
        TextWriter? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(settings);
        TimeProvider clock = timeProvider ?? TimeProvider.System;

        var meters = new CellMeter[models.Count, settings.Lenses.Count];
        for (int row = 0; row < models.Count; row++)
        {
            for (int column = 0; column < settings.Lenses.Count; column++)
            {
                meters[row, column] = new CellMeter(models[row].Client);
            }
        }

        int total = models.Count * settings.Lenses.Count;
        int finished = 0;
        var progressGate = new Lock();
        var progressWritten = new bool[models.Count, settings.Lenses.Count];

        // Why: a timed-out cell is abandoned by the fan-out (WaitAsync), so its own finally may run after the grid
        // returns; whichever of the cell and the grid's result reports it first writes its line, exactly once.
        void Report(int row, int column, string status, TimeSpan elapsed, string? reason)
        {
            if (progress is null)
            {
                return;
            }

            lock (progressGate)
            {
                if (!progressWritten[row, column])
                {
                    progressWritten[row, column] = true;
                    progress.WriteLine(ProgressLine(++finished, total, models[row].Name, settings.Lenses[column].Name, status, elapsed, meters[row, column], reason));
                }
            }
        }

        FanOutResult<IReadOnlyList<Finding>> grid = await FanOutRunner.RunAsync<ReviewModel, Lens, IReadOnlyList<Finding>>(
            models,
            settings.Lenses,
            async (model, lens, ct) =>
            {
                int row = IndexOf(models, model);
                int column = IndexOf(settings.Lenses, lens);
                CellMeter meter = meters[row, column];
                long started = clock.GetTimestamp();
                string status = "failed";
                string? reason = null;
                try
                {
                    StructuredOutputResult<Review> answer = await meter.GenerateAsync(
                        ReviewPrompt.Build(diff, lens),
                        new StructuredOutputOptions<Review> { MaxAttempts = settings.MaxAttempts, Validator = r => ReviewValidator.Validate(r, diff) },
                        chatOptions: null,
                        ct);

                    // Why: the cell knows its lens; a model that mislabels it must not move a finding to another rule.
                    Finding[] findings = [.. answer.Value.Findings.Select(f => f with { Lens = lens.Name, Severity = f.Severity.Trim().ToLowerInvariant() })];
                    status = "succeeded";
                    return new FanOutValue<IReadOnlyList<Finding>>(findings, answer.Usage);
                }
                catch (OperationCanceledException)
                {
                    status = cancellationToken.IsCancellationRequested ? "cancelled" : "timed out";
                    throw;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    reason = ex.Message;
                    throw;
                }
                finally
                {
                    Report(row, column, status, clock.GetElapsedTime(started), reason);
                }
            },
            new FanOutOptions { MaxConcurrency = settings.MaxConcurrency, CellTimeout = settings.CellTimeout, TimeProvider = timeProvider },
            cancellationToken);

        var reported = new List<ModelFinding>();
        var failures = new List<CellFailure>();
        var cells = new List<ReviewCell>();
        UsageDetails? usage = null;
        foreach (FanOutCell<IReadOnlyList<Finding>> cell in grid.Cells)
        {
            if (cell.Status == FanOutCellStatus.TimedOut)
            {
                Report(cell.Row, cell.Column, "timed out", cell.Duration, null);
            }

            string model = models[cell.Row].Name;
            string lens = settings.Lenses[cell.Column].Name;
            CellMeter meter = meters[cell.Row, cell.Column];
            string? error = cell.Succeeded ? null : cell.Error?.Message ?? cell.Status.ToString();
            cells.Add(new ReviewCell(model, lens, cell.Status.ToString(), meter.AnsweredBy, cell.Duration, meter.Usage, error));
            usage = Add(usage, meter.Usage);
            if (cell.Succeeded)
            {
                reported.AddRange(cell.Value!.Select(f => new ModelFinding(model, f)));
            }
            else
            {
                failures.Add(new CellFailure(model, lens, cell.Status.ToString(), error!));
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
            Cells = cells,
            SucceededCells = grid.SucceededCount,
            Usage = usage,
            FailOn = settings.FailOn,
        };
    }

    private static string ProgressLine(int finished, int total, string model, string lens, string status, TimeSpan elapsed, CellMeter meter, string? reason)
    {
        string answered = meter.AnsweredBy is { } by && !string.Equals(by, model, StringComparison.Ordinal) ? $", answered by {by}" : string.Empty;
        string tokens = meter.Usage?.TotalTokenCount is { } t ? $", {t} tokens" : string.Empty;
        string why = reason is null ? string.Empty : $": {reason.ReplaceLineEndings(" ")}";
        return string.Create(CultureInfo.InvariantCulture, $"gadfly: [{finished}/{total}] {model} × {lens}: {status} in {elapsed.TotalSeconds:0.0}s{answered}{tokens}{why}");
    }

    private static int IndexOf<T>(IReadOnlyList<T> items, T item)
        where T : class
    {
        for (int i = 0; i < items.Count; i++)
        {
            if (ReferenceEquals(items[i], item))
            {
                return i;
            }
        }

        throw new InvalidOperationException("The fan-out passed an item that is not in the grid.");
    }

    private static UsageDetails? Add(UsageDetails? total, UsageDetails? cell)
    {
        if (cell is null)
        {
            return total;
        }

        total ??= new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 };
        total.InputTokenCount += cell.InputTokenCount ?? 0;
        total.OutputTokenCount += cell.OutputTokenCount ?? 0;
        total.TotalTokenCount += cell.TotalTokenCount ?? 0;
        return total;
    }
}
