using System.Numerics;

namespace VaeText.Models;

/// <summary>
/// Buffers for one thread running a VAE on batches of up to <see cref="Capacity"/> rows: allocated once and
/// reused for every batch. Shapes are written beside each buffer.
/// </summary>
internal sealed class VaeWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public VaeWorkspace(int capacity, int latent, int vocabulary, int logitsRows, bool training, object encoderState)
    {
        Capacity = capacity;
        LogitsRows = logitsRows;
        Training = training;
        EncoderState = encoderState;
        int cl = capacity * latent;
        Mean = new T[cl];
        LogVar = new T[cl];
        Logits = new T[(long)logitsRows * vocabulary <= int.MaxValue ? logitsRows * vocabulary : throw new ArgumentOutOfRangeException(nameof(logitsRows), "logits buffer too large")];
        RowRecon = new double[Math.Max(capacity, logitsRows)];
        RowKl = new double[capacity];
        KlDim = new double[latent];
        Eps = training ? new T[cl] : Array.Empty<T>();
        Z = training ? new T[cl] : Array.Empty<T>();
        DZ = training ? new T[cl] : Array.Empty<T>();
        DMean = training ? new T[cl] : Array.Empty<T>();
        DLogVar = training ? new T[cl] : Array.Empty<T>();
    }

    public int Capacity { get; }
    /// <summary>Rows the logits buffer holds (the batch in training; a sub-batch at inference).</summary>
    public int LogitsRows { get; }
    public bool Training { get; }
    public object EncoderState { get; }
    /// <summary>The sequence decoder's buffers (null with the bag-of-words decoder).</summary>
    public object? DecoderState { get; init; }
    public T[] Mean;     // [cap, L]
    public T[] LogVar;   // [cap, L]
    public T[] Eps;      // [cap, L]
    public T[] Z;        // [cap, L]
    public T[] Logits;   // [logitsRows, V]  (dLogits in place)
    public T[] DZ;       // [cap, L]
    public T[] DMean;    // [cap, L]
    public T[] DLogVar;  // [cap, L]
    public double[] RowRecon; // [cap]
    public double[] RowKl;    // [cap]
    public double[] KlDim;    // [L]
}
