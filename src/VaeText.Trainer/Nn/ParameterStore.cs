namespace VaeText.Nn;

/// <summary>
/// One flat buffer of parameters and one of their gradients for a whole model, so that the optimizer,
/// gradient clipping, checkpoints and serialization are single loops. Layers reserve named slices at
/// construction time and read them as spans.
/// </summary>
/// <typeparam name="T">float for training; double for finite-difference gradient checks.</typeparam>
public sealed class ParameterStore<T> where T : unmanaged
{
    private readonly List<ParameterSlice> _slices = new();
    private T[] _values = Array.Empty<T>();
    private T[] _grads = Array.Empty<T>();
    private bool _frozen;

    /// <summary>All parameter values, in reservation order.</summary>
    public T[] Values { get { Freeze(); return _values; } }
    /// <summary>All parameter gradients, same layout as <see cref="Values"/>.</summary>
    public T[] Grads { get { Freeze(); return _grads; } }
    /// <summary>Total number of scalars.</summary>
    public int Count { get; private set; }
    /// <summary>The reserved slices, in order.</summary>
    public IReadOnlyList<ParameterSlice> Slices => _slices;

    /// <summary>Reserves <paramref name="length"/> scalars under a unique name.</summary>
    public ParameterSlice Reserve(string name, int length)
    {
        if (_frozen) throw new InvalidOperationException("parameters cannot be reserved after the store has been used");
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "must be non-negative");
        if (_slices.Exists(s => s.Name == name)) throw new ArgumentException($"parameter '{name}' reserved twice", nameof(name));
        var slice = new ParameterSlice(name, Count, length);
        _slices.Add(slice);
        Count = checked(Count + length);
        return slice;
    }

    /// <summary>Allocates the buffers; called implicitly on first access.</summary>
    public void Freeze()
    {
        if (_frozen) return;
        _values = new T[Count];
        _grads = new T[Count];
        _frozen = true;
    }

    /// <summary>The values of one slice.</summary>
    public Span<T> Value(ParameterSlice s) => Values.AsSpan(s.Offset, s.Length);
    /// <summary>The gradient of one slice.</summary>
    public Span<T> Grad(ParameterSlice s) => Grads.AsSpan(s.Offset, s.Length);
    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad() => Array.Clear(Grads);
}

/// <summary>A named range of a <see cref="ParameterStore{T}"/>.</summary>
/// <param name="Name">Unique name (e.g. "enc1.weight").</param>
/// <param name="Offset">Start in the flat buffer.</param>
/// <param name="Length">Number of scalars.</param>
public readonly record struct ParameterSlice(string Name, int Offset, int Length);
