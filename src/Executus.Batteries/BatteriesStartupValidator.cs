using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Executus.Batteries;

/// <summary>The first hosted service <c>AddBatteries</c> registers: a misconfigured battery stops the host's start.</summary>
internal sealed class BatteriesStartupValidator : IHostedService
{
    private readonly IServiceProvider _services;

    public BatteriesStartupValidator(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _services.ValidateBatteries();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
