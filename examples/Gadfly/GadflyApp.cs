using Executus;
using Executus.Configuration;
using Executus.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Gadfly;

/// <summary>Gadfly as a callable entry point (the tests run it too): read the diff, review it, report, decide the exit code.</summary>
public static class GadflyApp
{
    /// <summary>Exit code: no finding at or above <c>GADFLY_FAIL_ON</c>.</summary>
    public const int Passed = 0;

    /// <summary>Exit code: at least one finding at or above <c>GADFLY_FAIL_ON</c>.</summary>
    public const int FindingsAtOrAboveThreshold = 1;

    /// <summary>Exit code: usage, configuration or input error, or no cell of the grid answered.</summary>
    public const int UsageOrInputError = 2;

    private const string Usage = """
        usage: gadfly [diff-file | -]
          Reviews a unified diff (a file, or stdin when the argument is '-' or absent) with models × lenses,
          prints Markdown, and writes JSON/SARIF when GADFLY_JSON/GADFLY_SARIF name files.
          Configuration: environment variables only (see examples/Gadfly/README.md).
        """;

    /// <summary>Runs Gadfly.</summary>
    /// <param name="args">The command-line arguments: at most one diff path, or <c>-</c> for stdin.</param>
    /// <param name="input">Standard input, read when no path is given.</param>
    /// <param name="output">Where the Markdown review goes.</param>
    /// <param name="error">Where errors and the progress lines (one per finished cell) go.</param>
    /// <param name="config">Configuration; the environment when null.</param>
    /// <param name="scriptedModels">
    /// The offline models used when <c>GADFLY_MODELS</c> is unset; <see cref="ScriptedReviewers.Create"/> when null.
    /// </param>
    /// <param name="cancellationToken">Cancels the review.</param>
    /// <returns>The process exit code: <see cref="Passed"/>, <see cref="FindingsAtOrAboveThreshold"/> or <see cref="UsageOrInputError"/>.</returns>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextReader input,
        TextWriter output,
        TextWriter error,
        IConfigSource? config = null,
        Func<UnifiedDiff, IReadOnlyList<ReviewModel>>? scriptedModels = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        config ??= EnvironmentConfigSource.Instance;

        if (args.Count == 1 && args[0] is "-h" or "--help")
        {
            await output.WriteLineAsync(Usage);
            return Passed;
        }

        if (args.Count > 1)
        {
            return await FailAsync(error, $"expected at most one argument (the diff file, or '-' for stdin), got {args.Count}.\n{Usage}");
        }

        if (args.Count == 1 && string.IsNullOrWhiteSpace(args[0]))
        {
            // Why: `gadfly "$DIFF"` with an unset variable; reading "" as a path would throw an ArgumentException.
            return await FailAsync(error, $"the diff path argument is empty (an unset variable in the calling script?); pass a diff file, or '-' to read stdin.\n{Usage}");
        }

        GadflySettings settings;
        UnifiedDiff diff;
        bool fromStdin = args.Count == 0 || args[0] == "-";
        try
        {
            settings = GadflySettings.Read(config);
            string text = fromStdin ? await input.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(args[0], cancellationToken);
            diff = DiffParser.Parse(text);
        }
        catch (ConfigException ex)
        {
            return await FailAsync(error, $"configuration error: {ex.Message}");
        }
        catch (DiffParseException ex)
        {
            return await FailAsync(error, $"cannot read the diff: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(error, $"cannot read {(fromStdin ? "stdin" : $"'{args[0]}'")}: {ex.Message}");
        }

        bool scripted = settings.Models.Count == 0;
        await using ServiceProvider services = BuildServices(config);
        IReadOnlyList<ReviewModel> models;
        try
        {
            models = scripted ? (scriptedModels ?? ScriptedReviewers.Create)(diff) : ResolveModels(services, settings.Models);
        }
        catch (ModelResolutionException ex)
        {
            return await FailAsync(error, $"configuration error in {GadflySettings.ModelsKey}: {ex.Message}");
        }

        ReviewOutcome outcome = await ReviewRunner.RunAsync(diff, models, settings, scripted, progress: error, cancellationToken: cancellationToken);
        await output.WriteAsync(MarkdownReport.Render(outcome));
        try
        {
            if (settings.JsonPath is { } jsonPath)
            {
                await File.WriteAllTextAsync(jsonPath, JsonReport.Render(outcome), cancellationToken);
            }

            if (settings.SarifPath is { } sarifPath)
            {
                await File.WriteAllTextAsync(sarifPath, SarifReport.Render(outcome), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(error, $"cannot write a report: {ex.Message}");
        }

        if (!outcome.Reviewed)
        {
            return await FailAsync(error, "no cell of the review grid answered, so the diff was not reviewed; see the notes above (model configuration, keys, endpoints).");
        }

        return outcome.Blocking.Count > 0 ? FindingsAtOrAboveThreshold : Passed;
    }

    private static ServiceProvider BuildServices(IConfigSource config)
    {
        var services = new ServiceCollection();
        services.AddExecutus().UseConfigSource(config).AddOpenAIProvider();
        return services.BuildServiceProvider();
    }

    private static ReviewModel[] ResolveModels(ServiceProvider services, IReadOnlyList<string> names)
    {
        ModelTierResolver resolver = services.GetRequiredService<ModelTierResolver>();
        return [.. names.Select(name => new ReviewModel(name, resolver.Resolve(name)))];
    }

    private static async Task<int> FailAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"gadfly: {message}");
        return UsageOrInputError;
    }
}
