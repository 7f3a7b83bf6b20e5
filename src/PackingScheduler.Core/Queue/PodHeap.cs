using System.Diagnostics;

namespace PackingScheduler.Core.Queue;

/// <summary>
/// A binary min-heap of queued pods that supports removal and re-ordering of any element in
/// O(log n): each pod records its own index (a pod is in at most one heap at a time), which
/// is what Delete and in-place Update need and what System.Collections.Generic.PriorityQueue
/// lacks. Not thread-safe: the scheduling queue's lock guards it.
/// </summary>
internal sealed class PodHeap
{
    private readonly List<QueuedPodInfo> _items = new();
    private readonly Comparison<QueuedPodInfo> _compare;

    public PodHeap(Comparison<QueuedPodInfo> compare) => _compare = compare;

    public int Count => _items.Count;

    public IReadOnlyList<QueuedPodInfo> Items => _items;

    public QueuedPodInfo Peek() => _items[0];

    public bool Contains(QueuedPodInfo pod) =>
        pod.HeapIndex >= 0 && pod.HeapIndex < _items.Count && ReferenceEquals(_items[pod.HeapIndex], pod);

    public void Add(QueuedPodInfo pod)
    {
        Debug.Assert(pod.HeapIndex < 0, "a pod is in at most one heap");
        pod.HeapIndex = _items.Count;
        _items.Add(pod);
        Up(pod.HeapIndex);
    }

    public QueuedPodInfo Pop()
    {
        QueuedPodInfo top = _items[0];
        RemoveAt(0);
        return top;
    }

    public void Remove(QueuedPodInfo pod)
    {
        Debug.Assert(Contains(pod), "removing a pod that is not in this heap");
        RemoveAt(pod.HeapIndex);
    }

    /// <summary>Restores the order after the pod's sort keys changed in place.</summary>
    public void Fix(QueuedPodInfo pod)
    {
        Debug.Assert(Contains(pod), "fixing a pod that is not in this heap");
        if (!Down(pod.HeapIndex)) Up(pod.HeapIndex);
    }

    /// <summary>Checks the heap property and the recorded indexes; for invariant checks in tests.</summary>
    public bool IsValid()
    {
        for (int i = 0; i < _items.Count; i++)
        {
            if (_items[i].HeapIndex != i) return false;
            if (i > 0 && _compare(_items[i], _items[(i - 1) / 2]) < 0) return false;
        }
        return true;
    }

    private void RemoveAt(int i)
    {
        int last = _items.Count - 1;
        QueuedPodInfo removed = _items[i];
        if (i != last) Swap(i, last);
        _items.RemoveAt(last);
        removed.HeapIndex = -1;
        if (i < _items.Count && !Down(i)) Up(i);
    }

    private void Up(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (_compare(_items[i], _items[parent]) >= 0) break;
            Swap(i, parent);
            i = parent;
        }
    }

    /// <summary>Sifts down; returns whether the element moved.</summary>
    private bool Down(int i)
    {
        int start = i;
        int n = _items.Count;
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= n) break;
            int child = left + 1 < n && _compare(_items[left + 1], _items[left]) < 0 ? left + 1 : left;
            if (_compare(_items[child], _items[i]) >= 0) break;
            Swap(i, child);
            i = child;
        }
        return i != start;
    }

    private void Swap(int a, int b)
    {
        (_items[a], _items[b]) = (_items[b], _items[a]);
        _items[a].HeapIndex = a;
        _items[b].HeapIndex = b;
    }
}
