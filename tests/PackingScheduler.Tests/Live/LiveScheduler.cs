using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PackingScheduler.Hosting;
using PackingScheduler.TestApiServer;

namespace PackingScheduler.Tests.Live;

/// <summary>A real packing-scheduler host (Generic Host, Kestrel, KubernetesClient) pointed at a test API server.</summary>
internal sealed class LiveScheduler : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private LiveScheduler(WebApplication app, SchedulerService service, SchedulerOptions options)
    {
        _app = app;
        Service = service;
        Options = options;
    }

    public SchedulerService Service { get; }
    public SchedulerOptions Options { get; }
    public string Url => SchedulerHost.BoundAddress(_app);

    public static async Task<LiveScheduler> StartAsync(PackingScheduler.TestApiServer.TestApiServer server, Action<SchedulerOptions>? configure = null, bool waitForSync = true)
    {
        SchedulerOptions options = SchedulerOptions.ForLocalApiServer(server.BaseUrl);
        configure?.Invoke(options);
        WebApplication app = SchedulerHost.Build(options);
        await app.StartAsync();
        var live = new LiveScheduler(app, app.Services.GetRequiredService<SchedulerService>(), options);
        if (waitForSync) await live.Service.Synced.WaitAsync(TimeSpan.FromSeconds(30));
        return live;
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
