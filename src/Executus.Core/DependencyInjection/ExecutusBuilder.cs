using Executus;

namespace Microsoft.Extensions.DependencyInjection;

internal sealed class ExecutusBuilder(IServiceCollection services) : IExecutusBuilder
{
    public IServiceCollection Services { get; } = services;
}
