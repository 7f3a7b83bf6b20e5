namespace PackingScheduler.Kubernetes;

/// <summary>Receives one resource's state from an <see cref="Informer{T, TList}"/>.</summary>
public interface IInformerHandler<in T>
{
    /// <summary>A full list: the handler's state for this resource becomes exactly these objects.</summary>
    void OnReplace(IReadOnlyList<T> items);

    void OnAddOrUpdate(T item);

    void OnDelete(T item);
}
