using PackingScheduler.Core.Cache;
using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Model;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

/// <summary>Ported from upstream volumezone/volume_zone_test.go (TestSingleZone, TestMultiZone, TestWithBinding).</summary>
public class VolumeZoneTests
{
    private const string BetaZone = "failure-domain.beta.kubernetes.io/zone";
    private const string BetaRegion = "failure-domain.beta.kubernetes.io/region";
    private const string Zone = "topology.kubernetes.io/zone";
    private const string Region = "topology.kubernetes.io/region";

    private static TestCluster Cluster(NodeBuilder node)
    {
        var c = new TestCluster().Nodes(node);
        void Pv(string name, params (string, string)[] labels) => c.State.SetVolume(new VolumeInfo(name, labels.ToDictionary(l => l.Item1, l => l.Item2)));
        // TestSingleZone's volumes
        Pv("Vol_1", (BetaZone, "us-west1-a"));
        Pv("Vol_2", (BetaRegion, "us-west1"), ("uselessLabel", "none"));
        Pv("Vol_3", (BetaRegion, "us-west1"));
        Pv("Vol_Stable_1", (Zone, "us-west1-a"));
        Pv("Vol_Stable_2", (Region, "us-west1"), ("uselessLabel", "none"));
        Pv("Vol_Stable_3", (Zone, "us-west1-a"), (Region, "us-west1-a"));
        // TestMultiZone's volumes
        Pv("Vol_Multi_2", (BetaZone, "us-west1-b"), ("uselessLabel", "none"));
        Pv("Vol_Multi_3", (BetaZone, "us-west1-c__us-west1-a"));
        Pv("Vol_Multi_Stable_2", (Zone, "us-west1-c__us-west1-a"));
        // Labels LabelZonesToSet cannot parse: upstream ignores the label.
        Pv("Vol_Empty_Zone", (Zone, ""));
        Pv("Vol_Trailing_Delimiter", (Zone, "us-west1-a__"));
        foreach ((string claim, string? volume) in new[]
        {
            ("PVC_1", "Vol_1"), ("PVC_2", "Vol_2"), ("PVC_3", "Vol_3"), ("PVC_4", "Vol_not_exist"),
            ("PVC_Stable_1", "Vol_Stable_1"), ("PVC_Stable_2", "Vol_Stable_2"), ("PVC_Stable_3", "Vol_Stable_3"),
            ("PVC_Multi_2", "Vol_Multi_2"), ("PVC_Multi_3", "Vol_Multi_3"), ("PVC_Multi_Stable_2", "Vol_Multi_Stable_2"),
            ("PVC_Empty_Zone", "Vol_Empty_Zone"), ("PVC_Trailing_Delimiter", "Vol_Trailing_Delimiter"),
        })
        {
            c.State.SetClaim(new ClaimInfo("default", claim, volume, null));
        }
        // TestWithBinding's claims and classes
        c.State.SetClaim(new ClaimInfo("default", "PVC_NoSC", null, "Class_0"));
        c.State.SetClaim(new ClaimInfo("default", "PVC_EmptySC", null, null));
        c.State.SetClaim(new ClaimInfo("default", "PVC_WaitSC", null, "Class_Wait"));
        c.State.SetClaim(new ClaimInfo("default", "PVC_ImmediateSC", null, "Class_Immediate"));
        c.State.SetStorageClass(new StorageClassInfo("Class_Immediate", null));
        c.State.SetStorageClass(new StorageClassInfo("Class_Wait", "WaitForFirstConsumer"));
        return c;
    }

    private static NodeBuilder Host(params (string Key, string Value)[] labels)
    {
        NodeBuilder n = Node("host1");
        foreach ((string k, string v) in labels) n.Label(k, v);
        return n;
    }

    public static TheoryData<string, string, NodeBuilder, bool> Cases => new()
    {
        // ported from upstream TestSingleZone, case by case:
        { "node without labels", "PVC_1", Host(), true },
        { "beta zone label matched", "PVC_1", Host((BetaZone, "us-west1-a"), ("uselessLabel", "none")), true },
        { "beta region label matched", "PVC_2", Host((BetaRegion, "us-west1"), ("uselessLabel", "none")), true },
        { "beta region label doesn't match", "PVC_2", Host((BetaRegion, "no_us-west1"), ("uselessLabel", "none")), false },
        { "beta zone label doesn't match", "PVC_1", Host((BetaZone, "no_us-west1-a"), ("uselessLabel", "none")), false },
        { "zone label matched", "PVC_Stable_1", Host((Zone, "us-west1-a"), ("uselessLabel", "none")), true },
        { "region label matched", "PVC_Stable_2", Host((Region, "us-west1"), ("uselessLabel", "none")), true },
        { "region label doesn't match", "PVC_Stable_2", Host((Region, "no_us-west1"), ("uselessLabel", "none")), false },
        { "zone label doesn't match", "PVC_Stable_1", Host((Zone, "no_us-west1-a"), ("uselessLabel", "none")), false },
        { "pv with zone and region, node with only zone", "PVC_Stable_3", Host((Zone, "us-west1-a")), false },
        { "pv with zone,node with beta zone", "PVC_Stable_1", Host((BetaZone, "us-west1-a")), false },
        { "pv with beta label,node with ga label, matched", "PVC_1", Host((Zone, "us-west1-a")), true },
        { "pv with beta label,node with ga label, don't match", "PVC_1", Host((Zone, "us-west1-b")), false },
        // ported from upstream TestMultiZone, case by case:
        { "multi-zone: node without labels", "PVC_Multi_3", Host(), true },
        { "multi-zone: beta zone label matched", "PVC_Multi_3", Host((BetaZone, "us-west1-a"), ("uselessLabel", "none")), true },
        { "multi-zone: beta zone label doesn't match", "PVC_1", Host((BetaZone, "us-west1-b"), ("uselessLabel", "none")), false },
        { "multi-zone: zone label matched", "PVC_Multi_Stable_2", Host((Zone, "us-west1-a"), ("uselessLabel", "none")), true },
        { "multi-zone: zone label doesn't match", "PVC_Stable_1", Host((Zone, "us-west1-b"), ("uselessLabel", "none")), false },
        // ported from upstream TestWithBinding:
        { "label zone failure domain matched", "PVC_1", Host((BetaZone, "us-west1-a"), ("uselessLabel", "none")), true },
        { "unbound volume wait binding mode", "PVC_WaitSC", Host((BetaZone, "us-west1-a"), ("uselessLabel", "none")), true },
        // A node with an unrelated topology label is constrained: it must carry every label the volume has.
        { "node with only a region label and a zoned volume", "PVC_Stable_1", Host((Region, "us-west1")), false },
        // upstream getPVTopologies: a label LabelZonesToSet cannot parse (an empty zone) is ignored
        { "an empty zone label on the volume is ignored", "PVC_Empty_Zone", Host((Zone, "us-west1-a")), true },
        { "a zone list with an empty element is ignored", "PVC_Trailing_Delimiter", Host((Zone, "us-west1-b")), true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Node_must_be_in_the_zones_and_regions_of_the_pods_volumes(string _, string claim, NodeBuilder node, bool fits)
    {
        TestCluster c = Cluster(node);
        FilterResult r = c.Filter(new VolumeZone(c.Interner), Pod("pod_1").PersistentVolumeClaim(claim), "host1");
        Assert.Equal(fits, r.IsSuccess);
        if (!fits)
        {
            Assert.Equal(new[] { VolumeZone.Reason }, r.Reasons());
            Assert.True(r.Unresolvable);
        }
    }

    [Theory]
    // ported from upstream TestWithBinding and TestSingleZone's PreFilter statuses
    [InlineData("PVC_EmptySC", "PersistentVolumeClaim had no pv name and storageClass name")]
    // upstream's test lister says "storageclasses..."; the real StorageClass lister, which kube-scheduler uses, says "storageclass..."
    [InlineData("PVC_NoSC", "storageclass.storage.k8s.io \"Class_0\" not found")]
    [InlineData("PVC_ImmediateSC", "VolumeBindingMode not set for StorageClass \"Class_Immediate\"")]
    [InlineData("PVC_4", "persistentvolume \"Vol_not_exist\" not found")]
    [InlineData("PVC_missing", "persistentvolumeclaim \"PVC_missing\" not found")]
    public void Unusable_claims_reject_the_pod_in_PreFilter(string claim, string message)
    {
        TestCluster c = Cluster(Host());
        Assert.Equal(message, new VolumeZone(c.Interner).PreFilter(c.Pod(Pod("pod_1").PersistentVolumeClaim(claim)), c.State));
    }

    [Fact]
    public void An_unbound_claim_of_an_immediate_class_is_rejected()
    {
        TestCluster c = Cluster(Host());
        c.State.SetClaim(new ClaimInfo("default", "PVC_Bindable", null, "Class_Immediate"));
        c.State.SetStorageClass(new StorageClassInfo("Class_Immediate", "Immediate"));
        Assert.Equal("PersistentVolume had no name", new VolumeZone(c.Interner).PreFilter(c.Pod(Pod("pod_1").PersistentVolumeClaim("PVC_Bindable")), c.State));
    }

    [Fact]
    public void Claims_are_looked_up_in_the_pods_namespace()
    {
        TestCluster c = Cluster(Host((Zone, "us-west1-b")));
        Assert.Equal("persistentvolumeclaim \"PVC_1\" not found",
            new VolumeZone(c.Interner).PreFilter(c.Pod(Pod("pod_1", "other").PersistentVolumeClaim("PVC_1")), c.State));
    }

    [Fact]
    public void Every_claim_of_the_pod_must_fit()
    {
        TestCluster c = Cluster(Host((Zone, "us-west1-a"), (Region, "us-west1")));
        FilterResult r = c.Filter(new VolumeZone(c.Interner), Pod("pod_1").PersistentVolumeClaim("PVC_Stable_1").PersistentVolumeClaim("PVC_Stable_3"), "host1");
        Assert.False(r.IsSuccess);   // Vol_Stable_3 wants region us-west1-a
    }

    [Fact]
    public void A_pod_without_claims_fits_anywhere()
    {
        TestCluster c = Cluster(Host((Zone, "nowhere")));
        Assert.True(c.Filter(new VolumeZone(c.Interner), Pod("pod_1").GcePersistentDisk("pd"), "host1").IsSuccess);
    }
}
