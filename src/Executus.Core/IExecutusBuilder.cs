using Microsoft.Extensions.DependencyInjection;

namespace Executus;

/// <summary>
/// Returned by <c>services.AddExecutus()</c>; features, batteries and hosts add their registrations through it.
/// </summary>
public interface IExecutusBuilder
{
    /// <summary>Gets the service collection Executus registers into.</summary>
    IServiceCollection Services { get; }
}
