using PackingScheduler.Core.Replay;

namespace PackingScheduler.Core.Tests.Replay;

public sealed class TraceGeneratorTests
{
    private const string Spec = """
        nodes:
        - {group: wn08, count: 4, cpu: 8, memory: 32Gi}
        - {group: wn32, count: 2, cpu: 32, memory: 128Gi}
        generator:
          seed: 42
          load: 0.8
          warmup: 2h
          measure: 20h
          cooldown: 2h
          classes:
          - {name: analysis, cpu: 1, memoryPerCore: 2Gi, share: 2, batch: 5, duration: {median: 1h, sigma: 1, min: 5m, max: 12h}}
          - {name: production, cpu: 8, memoryPerCore: 2Gi, priority: 10, share: 3, duration: {median: 2h, sigma: 0.5, min: 10m, max: 12h}}
          - {name: whole, cpu: [8, 32], memoryPerCore: 2Gi, share: 0.1, duration: {median: 2h, sigma: 0, max: 12h}}
        """;

    [Fact]
    public void The_same_seed_gives_the_same_trace()
    {
        ReplayTrace a = ReplayTraces.Read(Spec), b = ReplayTraces.Read(Spec);
        Assert.Equal(a.Pods, b.Pods);
        Assert.True(a.Pods.Count > 100);
        Assert.Equal(["analysis", "production", "whole"], a.Classes);
        Assert.Equal(7200, a.MeasureFrom);
        Assert.Equal(79200, a.MeasureUntil);
    }

    [Fact]
    public void Another_seed_gives_another_trace_and_the_reader_can_replace_the_seed()
    {
        ReplayTrace a = ReplayTraces.Read(Spec);
        ReplayTrace other = ReplayTraces.Read(Spec.Replace("seed: 42", "seed: 43"));
        ReplayTrace replaced = TraceReader.Read("kind: ReplayTrace\n" + Spec, "t.yaml", seed: 43);
        Assert.NotEqual(a.Pods, other.Pods);
        Assert.Equal(other.Pods, replaced.Pods);
        Assert.Equal(43UL, replaced.Generator!.Seed);
    }

    [Fact]
    public void Jobs_are_in_arrival_order_with_their_class_shapes()
    {
        ReplayTrace t = ReplayTraces.Read(Spec);
        for (int i = 1; i < t.Pods.Count; i++) Assert.True(t.Pods[i - 1].Arrival <= t.Pods[i].Arrival);
        foreach (TracePod p in t.Pods)
        {
            Assert.InRange(p.Arrival, 0, 24 * 3600 - 1);
            switch (t.Classes[p.ClassId])
            {
                case "analysis":
                    Assert.Equal((1000L, 2L << 30, 0), (p.MilliCpu, p.Memory, p.Priority));
                    Assert.InRange(p.Duration, 300, 12 * 3600);
                    break;
                case "production":
                    Assert.Equal((8000L, 16L << 30, 10), (p.MilliCpu, p.Memory, p.Priority));
                    break;
                default:
                    Assert.Contains(p.MilliCpu, new[] { 8000L, 32000L });
                    Assert.Equal(7200, p.Duration); // sigma 0: the median
                    break;
            }
        }
    }

    [Fact]
    public void The_offered_load_is_what_the_spec_asks_for()
    {
        // Over 400 hours the realized load (cores × run time demanded, over cores × time) is
        // within a few percent of the 0.8 asked for; the shares are relative (2 : 3 : 0.1).
        ReplayTrace t = ReplayTraces.Read(Spec.Replace("measure: 20h", "measure: 400h"));
        double end = (2 + 400 + 2) * 3600.0, cores = 4 * 8 + 2 * 32;
        var byClass = new double[3];
        foreach (TracePod p in t.Pods) byClass[p.ClassId] += p.MilliCpu / 1000.0 * p.Duration;
        double load = byClass.Sum() / (cores * end);
        Assert.InRange(load, 0.76, 0.84);
        Assert.InRange(byClass[0] / byClass.Sum(), 2 / 5.1 - 0.04, 2 / 5.1 + 0.04);
    }

    [Fact]
    public void The_clamped_log_normal_mean_matches_its_samples()
    {
        var d = new DurationDistribution(TimeSpan.FromHours(2), 1.0, TimeSpan.FromMinutes(5), TimeSpan.FromHours(24));
        var random = new SplitMix64Random(7);
        double sum = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++) sum += d.Sample(random);
        Assert.InRange(sum / n / d.MeanSeconds(), 0.99, 1.01);
        // Unclamped it would be 2h·e^(1/2) = 11871 s; the 24 h clamp takes about 257 s off.
        Assert.InRange(d.MeanSeconds(), 11_600, 11_630);
    }

    [Fact]
    public void SplitMix64_is_the_published_sequence()
    {
        // Vigna's splitmix64.c from seed 1234567 (the values Rosetta Code's Splitmix64 task lists).
        var r = new SplitMix64Random(1234567);
        Assert.Equal(6457827717110365317UL, r.NextUInt64());
        Assert.Equal(3203168211198807973UL, r.NextUInt64());
    }
}
