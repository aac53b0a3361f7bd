using System.Globalization;

namespace Executus.Skills;

/// <summary>A skill folder broke a rule: the message names the file, the line (when known) and the rule.</summary>
public sealed class SkillValidationException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SkillValidationException()
        : this("A skill folder is not valid.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public SkillValidationException(string message)
        : base(message)
    {
        FilePath = string.Empty;
        Problem = message;
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SkillValidationException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
        Problem = message;
    }

    /// <summary>Initializes a new instance for a broken rule.</summary>
    /// <param name="filePath">The file (or folder).</param>
    /// <param name="rule">The rule.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="line">The 1-based line, when known.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SkillValidationException(string filePath, SkillRule rule, string problem, int? line = null, Exception? innerException = null)
        : base(Format(filePath, rule, problem, line), innerException)
    {
        FilePath = filePath;
        Rule = rule;
        Problem = problem;
        Line = line;
    }

    /// <summary>Gets the file (or folder) that broke the rule.</summary>
    public string FilePath { get; }

    /// <summary>Gets the rule.</summary>
    public SkillRule? Rule { get; }

    /// <summary>Gets what is wrong, without the place.</summary>
    public string Problem { get; }

    /// <summary>Gets the 1-based line, when known.</summary>
    public int? Line { get; }

    private static string Format(string filePath, SkillRule rule, string problem, int? line)
    {
        string place = line is { } l ? string.Create(CultureInfo.InvariantCulture, $"{filePath}:{l}") : filePath;
        return $"{place}: rule {rule}: {problem}";
    }
}
