using System.Globalization;

namespace Executus.Personas;

/// <summary>A persona file could not be loaded: the message names the file, the line and the field.</summary>
public sealed class PersonaLoadException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public PersonaLoadException()
        : this("A persona file could not be loaded.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">The message.</param>
    public PersonaLoadException(string message)
        : base(message)
    {
        FilePath = string.Empty;
        Problem = message;
    }

    /// <summary>Initializes a new instance with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public PersonaLoadException(string message, Exception? innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
        Problem = message;
    }

    /// <summary>Initializes a new instance for a problem at a place in a file.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="line">The 1-based line, when known.</param>
    /// <param name="field">The field (a dotted path such as <c>model.options.temperature</c>), when it is about one.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public PersonaLoadException(string filePath, int? line, string? field, string problem, Exception? innerException = null)
        : base(Format(filePath, line, field, problem), innerException)
    {
        FilePath = filePath;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>Gets the file that failed to load.</summary>
    public string FilePath { get; }

    /// <summary>Gets the 1-based line of the problem, when known.</summary>
    public int? Line { get; }

    /// <summary>Gets the field the problem is about (dotted path), when it is about one.</summary>
    public string? Field { get; }

    /// <summary>Gets what is wrong, without the place.</summary>
    public string Problem { get; }

    private static string Format(string filePath, int? line, string? field, string problem)
    {
        string place = line is { } l ? string.Create(CultureInfo.InvariantCulture, $"{filePath}:{l}") : filePath;
        return field is null ? $"{place}: {problem}" : $"{place}: field '{field}': {problem}";
    }
}
