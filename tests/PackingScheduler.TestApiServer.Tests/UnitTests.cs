using System.Text.Json.Nodes;
using k8s.Models;

namespace PackingScheduler.TestApiServer.Tests;

/// <summary>The building blocks, without HTTP.</summary>
public sealed class UnitTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "web", ["tier"] = "front", ["rank"] = "5" };

    [Theory]
    [InlineData("", true)]
    [InlineData("app=web", true)]
    [InlineData("app==web,tier=front", true)]
    [InlineData("app!=web", false)]
    [InlineData("missing!=x", true)]
    [InlineData("app in (web, api)", true)]
    [InlineData("app notin (web)", false)]
    [InlineData("missing notin (web)", true)]
    [InlineData("app,!missing", true)]
    [InlineData("!app", false)]
    [InlineData("rank>4,rank<6", true)]
    [InlineData("tier in (back),app=web", false)]
    public void LabelSelectorSemantics(string selector, bool matches) =>
        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(Labels));

    [Theory]
    [InlineData("app=")]
    [InlineData("=web")]
    [InlineData("app in (a b)")]
    public void LabelSelectorRejectsGarbage(string selector)
    {
        if (selector == "app=")
        {
            Assert.False(LabelSelector.Parse(selector).Matches(Labels));
            return;
        }

        Assert.Equal(400, Assert.Throws<ApiStatusException>(() => LabelSelector.Parse(selector)).Code);
    }

    [Fact]
    public void FieldSelectorEscapesAndDefaults()
    {
        var pods = ResourceRegistry.Pods;
        var pod = Stored("{\"metadata\":{\"name\":\"a,b=c\",\"namespace\":\"ns\"},\"spec\":{\"nodeName\":\"\"}}");
        Assert.True(FieldSelector.Parse(@"metadata.name=a\,b\=c", pods).Matches(pod.Root, pods));
        Assert.True(FieldSelector.Parse("spec.nodeName=,spec.hostNetwork=false,status.phase!=Running", pods).Matches(pod.Root, pods));
        Assert.False(FieldSelector.Parse("metadata.namespace!=ns", pods).Matches(pod.Root, pods));
        Assert.Equal(400, Assert.Throws<ApiStatusException>(() => FieldSelector.Parse("spec.nodeName", pods)).Code);
        Assert.Equal(400, Assert.Throws<ApiStatusException>(() => FieldSelector.Parse("spec.nodeName=x,spec.foo=y", pods)).Code);
    }

    [Fact]
    public void StrategicMergeDirectives()
    {
        var target = JsonNode.Parse(
            "{\"metadata\":{\"finalizers\":[\"a\"],\"labels\":{\"x\":\"1\",\"y\":\"2\"}}," +
            "\"status\":{\"conditions\":[{\"type\":\"A\",\"status\":\"True\"},{\"type\":\"B\",\"status\":\"False\"}]}}")!.AsObject();
        var patch = JsonNode.Parse(
            "{\"metadata\":{\"finalizers\":[\"b\",\"a\"],\"labels\":{\"y\":null}}," +
            "\"status\":{\"conditions\":[{\"type\":\"A\",\"$patch\":\"delete\"},{\"type\":\"B\",\"status\":\"True\"},{\"type\":\"C\",\"status\":\"True\"}]}}")!.AsObject();
        var result = StrategicMergePatch.Apply(target, patch);
        Assert.Equal(
            "{\"metadata\":{\"finalizers\":[\"a\",\"b\"],\"labels\":{\"x\":\"1\"}},\"status\":{\"conditions\":[{\"type\":\"B\",\"status\":\"True\"},{\"type\":\"C\",\"status\":\"True\"}]}}",
            result.ToJsonString());

        var replaced = StrategicMergePatch.Apply(result, JsonNode.Parse("{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"z\":\"9\"}}}")!.AsObject());
        Assert.Equal("{\"z\":\"9\"}", replaced["metadata"]!["labels"]!.ToJsonString());
    }

    [Fact]
    public void MergePatchFollowsRfc7386()
    {
        var target = JsonNode.Parse("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"},\"l\":[1,2]}")!.AsObject();
        var patch = JsonNode.Parse("{\"a\":\"z\",\"c\":{\"f\":null},\"l\":[3],\"n\":{\"m\":1}}")!.AsObject();
        Assert.Equal("{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"l\":[3],\"n\":{\"m\":1}}", JsonMergePatch.Apply(target, patch).ToJsonString());
    }

    [Fact]
    public void JsonPatchFollowsRfc6902()
    {
        var target = JsonNode.Parse("{\"a\":[1,2,3],\"b\":{\"c\":1}}")!.AsObject();
        var ops = JsonNode.Parse(
            "[{\"op\":\"remove\",\"path\":\"/a/0\"},{\"op\":\"add\",\"path\":\"/a/-\",\"value\":4},{\"op\":\"move\",\"from\":\"/b/c\",\"path\":\"/d\"}," +
            "{\"op\":\"replace\",\"path\":\"/a/0\",\"value\":9},{\"op\":\"test\",\"path\":\"/d\",\"value\":1}]")!.AsArray();
        Assert.Equal("{\"a\":[9,3,4],\"b\":{},\"d\":1}", JsonPatch.Apply(target, ops).ToJsonString());
        Assert.Equal(422, Assert.Throws<ApiStatusException>(() => JsonPatch.Apply(target, JsonNode.Parse("[{\"op\":\"remove\",\"path\":\"/zz\"}]")!.AsArray())).Code);
    }

    [Fact]
    public void HistoryWindow()
    {
        var history = new WatchHistory(2);
        for (var rv = 1; rv <= 4; rv++)
        {
            history.Add(new StoreEvent(ResourceRegistry.Pods, ChangeType.Added, Stored($"{{\"metadata\":{{\"name\":\"p{rv}\",\"resourceVersion\":\"{rv}\"}}}}"), null, rv));
        }

        var events = new List<StoreEvent>();
        Assert.False(history.TryGetSince(1, ResourceRegistry.Pods, events));
        Assert.True(history.TryGetSince(2, ResourceRegistry.Pods, events));
        Assert.Equal([3L, 4L], events.Select(e => e.ResourceVersion));
        Assert.True(history.TryGetSince(2, ResourceRegistry.Nodes, events = []));
        Assert.Empty(events);
        history.Clear(4);
        Assert.False(history.TryGetSince(3, ResourceRegistry.Pods, events));
        Assert.True(history.TryGetSince(4, ResourceRegistry.Pods, events));
    }

    [Fact]
    public async Task SlowWatcherIsTerminatedWhenItsBufferOverflows()
    {
        var aborted = false;
        using var subscription = new WatchSubscription(
            new WatchFilter(ResourceRegistry.Pods, null, null, LabelSelector.Everything, FieldSelector.Everything), bookmarks: false, capacity: 2, () => aborted = true);
        for (var rv = 1; rv <= 3; rv++)
        {
            subscription.Offer(WatchItem.Bookmark(rv));
        }

        Assert.True(subscription.Overflowed);
        Assert.False(aborted);
        var drained = new List<long>();
        await foreach (var item in subscription.Reader.ReadAllAsync())
        {
            drained.Add(item.BookmarkResourceVersion);
        }

        Assert.Equal([1L, 2L], drained);
    }

    [Fact]
    public void UnknownTypesAreRejected() =>
        Assert.Throws<ArgumentException>(() => ResourceRegistry.ForType(typeof(V1Deployment)));

    private static StoredObject Stored(string json) => new(System.Text.Encoding.UTF8.GetBytes(json));
}
