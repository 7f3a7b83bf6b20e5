using k8s.Models;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Translation;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// Generates a grid-site trace from a <see cref="GeneratorSpec"/>: per class, Poisson arrivals
/// at the rate that gives the class its share of the offered load, each job with its cores drawn
/// from the class's choices and its run time from the class's distribution. The same spec and
/// the same random source state give the same trace.
/// </summary>
public static class TraceGenerator
{
    public static ReplayTrace Generate(GeneratorSpec spec, IReadOnlyList<V1Node> nodes, IRandomSource random)
    {
        // The load is relative to the cpu the scheduler can hand out: allocatable, as the engine reads it.
        var translator = new ObjectTranslator(new Interner());
        long totalMilliCpu = 0;
        foreach (V1Node n in nodes) totalMilliCpu += translator.TranslateNode(n).Allocatable.MilliCpu;
        double end = (spec.Warmup + spec.Measure + spec.Cooldown).TotalSeconds;
        double totalCores = totalMilliCpu / 1000.0;

        // Classes are drawn one after the other from the one source, so adding a class at the
        // end leaves the jobs of the classes before it unchanged.
        var drawn = new List<(double Time, int Class, int Seq, TracePod Pod)>();
        var names = new List<string>(spec.Classes.Count);
        for (int c = 0; c < spec.Classes.Count; c++)
        {
            PodClassSpec cls = spec.Classes[c];
            names.Add(cls.Name);
            // Offered core-seconds per second for this class = rate × E[cores] × E[run time].
            double rate = spec.Load * cls.Share * totalCores / (cls.MeanCores * cls.Duration.MeanSeconds());
            if (rate <= 0) continue;
            // Batches arrive at rate / Batch; each holds 1 + Geometric jobs, Batch on average.
            double batchRate = rate / cls.Batch;
            double more = 1 - 1 / cls.Batch; // the chance that a batch has one more job
            double t = 0;
            int seq = 0;
            while (true)
            {
                t += -Math.Log(1.0 - random.NextDouble()) / batchRate;
                if (t >= end) break;
                do
                {
                    int cores = cls.CoreChoices[Math.Min(cls.CoreChoices.Count - 1, (int)(random.NextDouble() * cls.CoreChoices.Count))];
                    long duration = cls.Duration.Sample(random);
                    seq++;
                    var pod = new TracePod($"{cls.Name}-{seq:D6}", c, (long)Math.Floor(t), duration, cores * 1000L, cores * cls.MemoryPerCore, cls.Priority);
                    drawn.Add((t, c, seq, pod));
                }
                while (more > 0 && random.NextDouble() < more);
            }
        }
        drawn.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Class != b.Class ? a.Class.CompareTo(b.Class) : a.Seq.CompareTo(b.Seq));
        var pods = new TracePod[drawn.Count];
        for (int i = 0; i < pods.Length; i++) pods[i] = drawn[i].Pod;
        long from = (long)spec.Warmup.TotalSeconds;
        long until = (long)(spec.Warmup + spec.Measure).TotalSeconds;
        return new ReplayTrace(nodes, pods, names, from, until, spec);
    }
}
