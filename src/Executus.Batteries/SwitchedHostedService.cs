using Microsoft.Extensions.Hosting;

namespace Executus.Batteries;

/// <summary>Starts and stops a battery's hosted service only when its battery is on.</summary>
internal sealed class SwitchedHostedService : IHostedService
{
    private readonly Func<IHostedService?> _service;
    private IHostedService? _started;

    public SwitchedHostedService(Func<IHostedService?> service) => _service = service;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_service() is { } service)
        {
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
            _started = service;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _started?.StopAsync(cancellationToken) ?? Task.CompletedTask;
}
