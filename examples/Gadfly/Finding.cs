using System.ComponentModel;

namespace Gadfly;

/// <summary>One problem a model found in the diff (the structured answer's item).</summary>
/// <param name="File">The file path exactly as the diff names it (the new path).</param>
/// <param name="Line">The new-file line number of an added or context line, or 0 for the file as a whole.</param>
/// <param name="Severity">One of info, low, medium, high, critical.</param>
/// <param name="Lens">The review lens the finding belongs to.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
/// <param name="Suggestion">How to fix it.</param>
public sealed record Finding(
    [property: Description("The file path exactly as the diff names it (the path after the change).")] string File,
    [property: Description("The new-file line number of an added or context line of the diff, or 0 for the whole file.")] int Line,
    [property: Description("One of: info, low, medium, high, critical.")] string Severity,
    [property: Description("The review lens: the one you were asked to apply.")] string Lens,
    [property: Description("What is wrong, in one sentence.")] string Message,
    [property: Description("How to fix it, briefly.")] string Suggestion);
