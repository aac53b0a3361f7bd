using Executus.Configuration;

namespace Executus.Dispatch;

/// <summary>
/// The caps of the <see cref="DispatchGuard"/>; read from configuration with <see cref="FromConfig"/>
/// (<c>Executus:Dispatch:MaxDepth</c>, <c>:MaxFanOut</c>, <c>:MaxRepeats</c>).
/// </summary>
public sealed class DispatchLimits
{
    /// <summary>The configuration prefix: <c>Executus:Dispatch:</c>.</summary>
    public const string SectionPrefix = "Executus:Dispatch:";

    /// <summary>
    /// Gets the deepest sub-agent nesting allowed: the top-level run is depth 0, a sub-agent it starts is depth 1, and so
    /// on; starting a run at depth <c>MaxDepth + 1</c> is denied. Default 3.
    /// </summary>
    public int MaxDepth { get; init; } = 3;

    /// <summary>Gets how many sub-agents one run may start over its life (parallel ones included). Default 16.</summary>
    public int MaxFanOut { get; init; } = 16;

    /// <summary>
    /// Gets how many times the same agent may be started with the same input within one top-level run, and how many
    /// times one run may call the same tool with identical arguments; the next repeat is denied as a loop. Default 3.
    /// </summary>
    public int MaxRepeats { get; init; } = 3;

    /// <summary>Reads the limits from <paramref name="config"/>; missing keys keep the defaults.</summary>
    /// <param name="config">The configuration source.</param>
    /// <returns>The limits.</returns>
    /// <exception cref="ConfigException">A value is not an integer in range (depth and fan-out ≥ 0, repeats ≥ 1).</exception>
    public static DispatchLimits FromConfig(IConfigSource config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var defaults = new DispatchLimits();
        return new DispatchLimits
        {
            MaxDepth = config.GetInt(SectionPrefix + nameof(MaxDepth), defaults.MaxDepth, min: 0),
            MaxFanOut = config.GetInt(SectionPrefix + nameof(MaxFanOut), defaults.MaxFanOut, min: 0),
            MaxRepeats = config.GetInt(SectionPrefix + nameof(MaxRepeats), defaults.MaxRepeats, min: 1),
        };
    }

    internal void Validate()
    {
        if (MaxDepth < 0 || MaxFanOut < 0 || MaxRepeats < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(DispatchLimits),
                $"Dispatch limits need MaxDepth >= 0, MaxFanOut >= 0 and MaxRepeats >= 1; got {MaxDepth}, {MaxFanOut}, {MaxRepeats}.");
        }
    }
}
