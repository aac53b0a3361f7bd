namespace Gadfly;

/// <summary>One finding after merging across models: the highest severity any model gave and every model that agreed.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">The new-file line, or 0 for the whole file.</param>
/// <param name="Lens">The lens.</param>
/// <param name="Severity">The highest severity among the merged reports.</param>
/// <param name="Message">The message of the most severe report (the first one on a tie).</param>
/// <param name="Suggestion">The suggestion of that report.</param>
/// <param name="Models">The models that reported it, in the order they did.</param>
public sealed record MergedFinding(string File, int Line, string Lens, Severity Severity, string Message, string Suggestion, IReadOnlyList<string> Models);
