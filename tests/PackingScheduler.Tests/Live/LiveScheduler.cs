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
        var options = new SchedulerOptions
        {
            Master = server.BaseUrl,
            Port = 0,
            BindAddress = "127.0.0.1",
            LeaderElect = false,
            Verbosity = 0,
            // Tests bind thousands of pods: do not let client-side throttling set the pace.
            KubeApiQps = 100_000,
            KubeApiBurst = 100_000,
            LockNamespace = "kube-system",
            DrainTimeout = TimeSpan.FromSeconds(5),
        };
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
