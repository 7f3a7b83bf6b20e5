using PackingScheduler.Core.Engine;
using PackingScheduler.Core.Predicates;
using PackingScheduler.Core.Tests.Support;
using static PackingScheduler.Core.Tests.Support.TestObjects;

namespace PackingScheduler.Core.Tests.Predicates;

/// <summary>Disk conflicts (the legacy NoDiskConflict), ported from upstream volumerestrictions/volume_restrictions_test.go.</summary>
public class VolumeRestrictionsTests
{
    private static bool Fits(PodBuilder incoming, PodBuilder? existing)
    {
        var c = new TestCluster().Nodes(Node("n"));
        if (existing is not null) c.Running(existing.OnNode("n"));
        FilterResult r = c.Filter(new VolumeRestrictions(), incoming, "n");
        if (!r.IsSuccess)
        {
            Assert.Equal(new[] { VolumeRestrictions.Reason }, r.Reasons());
            Assert.False(r.Unresolvable);
        }
        return r.IsSuccess;
    }

    private static readonly string[] MonitorsAB = { "a", "b" };
    private static readonly string[] MonitorsCD = { "c", "d" };

    public static TheoryData<string, PodBuilder, PodBuilder?, bool> Cases => new()
    {
        // ported from upstream TestGCEDiskConflicts: "nothing", "one state", "same state", "different state"
        { "GCE: nothing", Pod("p"), null, true },
        { "GCE: one state", Pod("p"), Pod("e").GcePersistentDisk("foo"), true },
        { "GCE: same state", Pod("p").GcePersistentDisk("foo"), Pod("e").GcePersistentDisk("foo"), false },
        { "GCE: different state", Pod("p").GcePersistentDisk("bar"), Pod("e").GcePersistentDisk("foo"), true },
        { "GCE: shared read-only by both", Pod("p").GcePersistentDisk("foo", readOnly: true), Pod("e").GcePersistentDisk("foo", readOnly: true), true },
        { "GCE: read-only against read-write", Pod("p").GcePersistentDisk("foo", readOnly: true), Pod("e").GcePersistentDisk("foo"), false },
        // ported from upstream TestAWSDiskConflicts
        { "AWS: one state", Pod("p"), Pod("e").AwsElasticBlockStore("foo"), true },
        { "AWS: same state", Pod("p").AwsElasticBlockStore("foo"), Pod("e").AwsElasticBlockStore("foo"), false },
        { "AWS: different state", Pod("p").AwsElasticBlockStore("bar"), Pod("e").AwsElasticBlockStore("foo"), true },
        { "AWS: read-only does not help", Pod("p").AwsElasticBlockStore("foo", readOnly: true), Pod("e").AwsElasticBlockStore("foo", readOnly: true), false },
        // ported from upstream TestRBDDiskConflicts (monitors a,b vs c,d; pool foo; image bar)
        { "RBD: one state", Pod("p"), Pod("e").Rbd(MonitorsAB, "foo", "bar"), true },
        { "RBD: same state", Pod("p").Rbd(MonitorsAB, "foo", "bar"), Pod("e").Rbd(MonitorsAB, "foo", "bar"), false },
        { "RBD: different state (no monitor in common)", Pod("p").Rbd(MonitorsCD, "foo", "bar"), Pod("e").Rbd(MonitorsAB, "foo", "bar"), true },
        { "RBD: one monitor in common is the same image", Pod("p").Rbd(new[] { "b", "c" }, "foo", "bar"), Pod("e").Rbd(MonitorsAB, "foo", "bar"), false },
        { "RBD: another pool", Pod("p").Rbd(MonitorsAB, "other", "bar"), Pod("e").Rbd(MonitorsAB, "foo", "bar"), true },
        { "RBD: unset pool defaults to rbd", Pod("p").Rbd(MonitorsAB, null, "bar"), Pod("e").Rbd(MonitorsAB, "rbd", "bar"), false },
        { "RBD: shared read-only by both", Pod("p").Rbd(MonitorsAB, "foo", "bar", readOnly: true), Pod("e").Rbd(MonitorsAB, "foo", "bar", readOnly: true), true },
        // ported from upstream TestISCSIDiskConflicts
        { "ISCSI: one state", Pod("p"), Pod("e").Iscsi("iqn.2016-12.server:storage.target01"), true },
        { "ISCSI: same state", Pod("p").Iscsi("iqn.2016-12.server:storage.target01"), Pod("e").Iscsi("iqn.2016-12.server:storage.target01"), false },
        { "ISCSI: different state", Pod("p").Iscsi("iqn.2017-12.server:storage.target01"), Pod("e").Iscsi("iqn.2016-12.server:storage.target01"), true },
        { "ISCSI: shared read-only by both", Pod("p").Iscsi("iqn.x", readOnly: true), Pod("e").Iscsi("iqn.x", readOnly: true), true },
        // Kinds never conflict with each other, even under the same name.
        { "GCE and AWS under one name", Pod("p").GcePersistentDisk("foo"), Pod("e").AwsElasticBlockStore("foo"), true },
        { "second volume conflicts", Pod("p").GcePersistentDisk("a").GcePersistentDisk("foo"), Pod("e").GcePersistentDisk("b").GcePersistentDisk("foo"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Disks_may_be_shared_only_as_upstream_allows(string _, PodBuilder incoming, PodBuilder? existing, bool fits)
    {
        Assert.Equal(fits, Fits(incoming, existing));
    }
}
