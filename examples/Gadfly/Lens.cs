namespace Gadfly;

/// <summary>A review lens: one angle a model reviews the diff from.</summary>
/// <param name="Name">The lens name (lower case), also the SARIF rule id.</param>
/// <param name="Focus">What the lens looks for, as told to the model and written as the SARIF rule description.</param>
public sealed record Lens(string Name, string Focus)
{
    /// <summary>The default lenses.</summary>
    public static readonly IReadOnlyList<string> DefaultNames = ["correctness", "security", "performance", "readability"];

    /// <summary>
    /// Gets the lens's SARIF rule id: stable and opaque, as code-scanning services want it (<c>GF1001</c>–<c>GF1004</c>
    /// for the four default lenses; <c>GF9000/{name}</c>, a hierarchical id under one generic rule number, for any other).
    /// </summary>
    public string RuleId => Name switch
    {
        "correctness" => "GF1001",
        "security" => "GF1002",
        "performance" => "GF1003",
        "readability" => "GF1004",
        _ => "GF9000/" + Name,
    };

    /// <summary>Gets the lens's readable SARIF rule name in PascalCase (<c>Security</c>, <c>DataPrivacy</c>).</summary>
    public string RuleName => string.Concat(Name.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

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
