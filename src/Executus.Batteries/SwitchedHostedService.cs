using Microsoft.Extensions.Hosting;

namespace Executus.Batteries;

/// <summary>
/// Starts and stops a battery's hosted service only when its battery is on, passing on the lifecycle steps
/// (<see cref="IHostedLifecycleService"/>) the service has: InterruptedRunRecovery stops claiming runs in <c>StoppingAsync</c>.
/// </summary>
internal sealed class SwitchedHostedService : IHostedLifecycleService
{
    private readonly Func<IHostedService?> _service;
    private IHostedService? _started;

    public SwitchedHostedService(Func<IHostedService?> service) => _service = service;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_service() is { } service)
        {
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
            _started = service;
        }
    }

    public Task StartedAsync(CancellationToken cancellationToken) => (_started as IHostedLifecycleService)?.StartedAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => (_started as IHostedLifecycleService)?.StoppingAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _started?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => (_started as IHostedLifecycleService)?.StoppedAsync(cancellationToken) ?? Task.CompletedTask;
}
