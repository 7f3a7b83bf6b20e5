using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace PackingScheduler.Hosting;

/// <summary>Builds the scheduler process: the Generic Host with Kestrel serving the health and metrics endpoints.</summary>
public static class SchedulerHost
{
    public const string HealthPath = "/healthz";
    public const string LivenessPath = "/livez";
    public const string ReadinessPath = "/readyz";
    public const string MetricsPath = "/metrics";

    public static WebApplication Build(SchedulerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        // Program.cs installs it first thing; a host built elsewhere gets it if it is not too late.
        PackingScheduler.Kubernetes.TolerantQuantityJson.Install();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Parse(options.BindAddress), options.Port));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.Verbosity switch { <= 0 => LogLevel.Warning, <= 2 => LogLevel.Information, _ => LogLevel.Debug });
        if (options.LogFormat == "json") builder.Logging.AddJsonConsole();
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(ClientConfiguration(options),
            new PackingScheduler.Kubernetes.RateLimitingHandler(options.KubeApiQps, options.KubeApiBurst)));
        builder.Services.AddSingleton<SchedulerService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SchedulerService>());

        WebApplication app = builder.Build();
        SchedulerService scheduler = app.Services.GetRequiredService<SchedulerService>();
        app.MapGet(HealthPath, () => Results.Text("ok"));
        app.MapGet(LivenessPath, () => Results.Text("ok"));
        app.MapGet(ReadinessPath, () => scheduler.IsReady
            ? Results.Text("ok")
            : Results.Text("informers not synced", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet(MetricsPath, async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await scheduler.Metrics.Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        });
        return app;
    }

    /// <summary>The address Kestrel bound (useful with port 0).</summary>
    public static string BoundAddress(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public static KubernetesClientConfiguration ClientConfiguration(SchedulerOptions options)
    {
        KubernetesClientConfiguration config = options.Master is not null
            ? new KubernetesClientConfiguration { Host = options.Master }
            : options.Kubeconfig is not null
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig)
                : KubernetesClientConfiguration.InClusterConfig();
        return config;
    }
}
