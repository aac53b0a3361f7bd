namespace Gadfly;

/// <summary>A review lens: one angle a model reviews the diff from.</summary>
/// <param name="Name">The lens name (lower case), also the SARIF rule id.</param>
/// <param name="Focus">What the lens looks for, as told to the model and written as the SARIF rule description.</param>
public sealed record Lens(string Name, string Focus)
{
    /// <summary>The default lenses.</summary>
    public static readonly IReadOnlyList<string> DefaultNames = ["correctness", "security", "performance", "readability"];

    /// <summary>Returns the lens called <paramref name="name"/>, with a built-in focus for the default lenses.</summary>
    /// <param name="name">The lens name.</param>
    /// <returns>The lens.</returns>
    public static Lens Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string key = name.Trim().ToLowerInvariant();
        return new Lens(key, key switch
        {
            "correctness" => "Logic errors, wrong conditions, unhandled errors, swallowed exceptions, null dereferences, broken edge cases.",
            "security" => "Injection (SQL, command, path), hard-coded secrets, unsafe deserialization, missing validation of untrusted input.",
            "performance" => "Blocking calls, needless allocations, work inside loops that belongs outside, synchronous waits on async code.",
            "readability" => "Unclear names, leftover TODO notes, dead code, overly long or nested code that hides intent.",
            _ => $"Problems of the kind '{key}' names.",
        });
    }
}
