# syntax=docker/dockerfile:1
# packing-scheduler's image:
#   docker build -t ghcr.io/packing-scheduler/packing-scheduler:0.1.0 .
# (ghcr.io/packing-scheduler is a placeholder: tag and push to your own registry, then set the
# image in manifests/kustomization.yaml.)

# Build on the build machine's own platform: the output is framework-dependent IL, the same for
# every architecture, so `docker buildx build --platform linux/amd64,linux/arm64` needs no emulation.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore as its own layer: it is redone only when a project file or the package versions change.
# Only the executable and what it references; the tests are not part of the image.
COPY Directory.Build.props Directory.Packages.props PackingScheduler.sln ./
COPY src/PackingScheduler/PackingScheduler.csproj src/PackingScheduler/
COPY src/PackingScheduler.Core/PackingScheduler.Core.csproj src/PackingScheduler.Core/
RUN dotnet restore src/PackingScheduler/PackingScheduler.csproj

COPY src/ src/
RUN dotnet publish src/PackingScheduler -c Release -o /app --no-restore -p:UseAppHost=false

# Runtime: the ASP.NET Core shared framework (Kestrel serves /healthz, /livez, /readyz, /metrics),
# on Ubuntu chiseled: no shell, no package manager, non-root user `app` (UID 1654) by default.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app ./
# The scheduler binds its own port (--port, --bind-address); no default ASP.NET port.
ENV ASPNETCORE_HTTP_PORTS= \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
USER $APP_UID
# run's default --port.
EXPOSE 10251
ENTRYPOINT ["dotnet", "/app/packing-scheduler.dll"]
CMD ["run"]
