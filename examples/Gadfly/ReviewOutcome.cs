using Microsoft.Extensions.AI;

namespace Gadfly;

/// <summary>What a review produced: the merged findings, the cells that failed, and the policy verdict.</summary>
public sealed class ReviewOutcome
{
    /// <summary>Gets the diff that was reviewed.</summary>
    public required UnifiedDiff Diff { get; init; }

    /// <summary>Gets the model names (grid rows).</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>Gets the lenses (grid columns).</summary>
    public required IReadOnlyList<Lens> Lenses { get; init; }

    /// <summary>Gets a value indicating whether the models are the scripted offline ones.</summary>
    public required bool Scripted { get; init; }

    /// <summary>Gets the merged findings, most severe first.</summary>
    public required IReadOnlyList<MergedFinding> Findings { get; init; }

    /// <summary>Gets the cells that gave no answer.</summary>
    public required IReadOnlyList<CellFailure> Failures { get; init; }

    /// <summary>Gets every cell in grid order: status, the model that answered, duration and tokens.</summary>
    public IReadOnlyList<ReviewCell> Cells { get; init; } = [];

    /// <summary>Gets the number of cells that answered.</summary>
    public required int SucceededCells { get; init; }

    /// <summary>
    /// Gets a value indicating whether at least one cell answered. When none did, the diff was NOT reviewed: every
    /// report says so and the exit code is 2, whatever the (empty) findings suggest.
    /// </summary>
    public bool Reviewed => SucceededCells > 0;

    /// <summary>Gets the summed token usage of every cell, failed cells and repair attempts included, if any reported usage.</summary>
    public UsageDetails? Usage { get; init; }

    /// <summary>Gets the severity from which the review fails; null never fails.</summary>
    public Severity? FailOn { get; init; }

    /// <summary>Gets a value indicating whether the review fails: the diff was not reviewed, or a finding is at or above <see cref="FailOn"/>.</summary>
    public bool Failed => !Reviewed || Blocking.Count > 0;

    /// <summary>Gets the findings at or above <see cref="FailOn"/>.</summary>
    public IReadOnlyList<MergedFinding> Blocking => FailOn is { } threshold ? [.. Findings.Where(f => f.Severity >= threshold)] : [];
}
