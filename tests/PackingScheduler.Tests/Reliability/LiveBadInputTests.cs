using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using PackingScheduler.Tests.Live;

namespace PackingScheduler.Tests.Reliability;

/// <summary>
/// Fuzzed bad input through the live path: malformed pods and nodes are created over HTTP in the
/// test API server (which, unlike a real one, stores them as sent), among good pods. Each bad pod
/// must get a FailedScheduling event naming the problem; bad nodes must get nothing; every good
/// pod must be bound; the scheduler must keep running.
/// </summary>
[Trait("Category", "Reliability")]
[Collection(LiveCollection.Name)]
public sealed class LiveBadInputTests
{
    private const int Seed = 20261123;

    private static async Task PostAsync(HttpClient http, string path, JsonObject obj)
    {
        using var content = new StringContent(obj.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await http.PostAsync(path, content);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Malformed_pods_are_reported_naming_the_problem_and_every_good_pod_is_bound()
    {
        var generator = new BadInputGenerator(Seed);
        await using ReliabilityCluster c = (await ReliabilityCluster.StartAsync()).WithNodes(6, 16);
        using var http = new HttpClient { BaseAddress = new Uri(c.Server.BaseUrl) };
        BadInputGenerator.Case[] badNodes = Enumerable.Range(0, 8).Select(generator.BadNode).ToArray();
        foreach (BadInputGenerator.Case n in badNodes) await PostAsync(http, "/api/v1/nodes", n.Object);
        await c.StartSchedulerAsync();

        // 48 bad pods (4 of each category) among 60 good ones, in a seeded order; plus two good pods that
        // are merely unusual: 1000 valid preferred affinity terms, and odd but valid label values.
        var bad = Enumerable.Range(0, 48).Select(generator.BadPod).ToList();
        var good = Enumerable.Range(0, 60).Select(i => BadInputGenerator.GoodPod($"good-{i:D2}")).ToList();
        good.Add(ManyTermsPod("good-many-terms", 1000));
        good.Add(OddLabelsPod("good-odd-labels"));
        var order = new Random(Seed);
        List<JsonObject> all = bad.Select(b => b.Object).Concat(good).OrderBy(_ => order.Next()).ToList();
        foreach (JsonObject pod in all) await PostAsync(http, "/api/v1/namespaces/atlas/pods", pod);

        await c.WaitUntilAsync(pods =>
        {
            HashSet<string> reported = c.ReportedUnschedulable();
            return pods.Where(p => p.Metadata.Name.StartsWith("good-")).All(p => p.Spec.NodeName is not null)
                   && bad.All(b => reported.Contains($"atlas/{b.Name}"));
        }, "every good pod bound and every bad pod reported");

        List<Eventsv1Event> events = c.Server.List<Eventsv1Event>("atlas").Where(e => e.Reason == "FailedScheduling").ToList();
        var unnamed = new List<string>();
        foreach (BadInputGenerator.Case b in bad)
        {
            Assert.Null(c.Server.Get<V1Pod>(b.Name, "atlas")!.Spec.NodeName);
            string[] notes = events.Where(e => e.Regarding.Name == b.Name).Select(e => e.Note).ToArray();
            if (!notes.Any(n => b.FieldForms().Any(f => n.Contains(f, StringComparison.Ordinal))))
                unnamed.Add($"{b.Name} ({b.Category}): expected \"{b.Field}\" in [{string.Join(" | ", notes)}]");
        }
        Assert.True(unnamed.Count == 0, "bad pods whose event does not name the problem:\n" + string.Join("\n", unnamed));
        Assert.DoesNotContain(c.OurPods(), p => p.Spec.NodeName?.StartsWith("bad-node-") == true);
        await c.AssertNothingLostAsync(allBound: false);
    }

    private static JsonObject ManyTermsPod(string name, int terms)
    {
        JsonObject pod = BadInputGenerator.GoodPod(name);
        var list = new JsonArray();
        for (int i = 0; i < terms; i++)
        {
            list.Add(new JsonObject
            {
                ["weight"] = 1 + i % 100,
                ["podAffinityTerm"] = new JsonObject
                {
                    ["labelSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "pilot", [$"k{i}"] = $"v{i}" } },
                    ["topologyKey"] = i % 2 == 0 ? "kubernetes.io/hostname" : "topology.kubernetes.io/zone",
                },
            });
        }
        pod["spec"]!["affinity"] = new JsonObject { ["podAffinity"] = new JsonObject { ["preferredDuringSchedulingIgnoredDuringExecution"] = list } };
        return pod;
    }

    private static JsonObject OddLabelsPod(string name)
    {
        JsonObject pod = BadInputGenerator.GoodPod(name);
        pod["metadata"]!["labels"] = new JsonObject { ["app"] = "pilot", ["x"] = new string('z', 63), ["example.com/y"] = "A.b_c-9", ["empty"] = "" };
        pod["spec"]!["affinity"] = new JsonObject
        {
            ["podAntiAffinity"] = new JsonObject
            {
                ["preferredDuringSchedulingIgnoredDuringExecution"] = new JsonArray(new JsonObject
                {
                    ["weight"] = 100,
                    ["podAffinityTerm"] = new JsonObject
                    {
                        ["labelSelector"] = new JsonObject
                        {
                            ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "x", ["operator"] = "In", ["values"] = new JsonArray(new string('z', 63), "", "A.b_c-9") }),
                        },
                        ["topologyKey"] = "kubernetes.io/hostname",
                    },
                }),
            },
        };
        return pod;
    }
}
