namespace VaeText;

/// <summary>
/// The front door of VaeText (ML.NET's <c>MLContext</c>): catalogs of data operations, transforms, trainers and
/// model operations. Every component that needs randomness draws its seed from this context in creation order,
/// so the same context seed and the same pipeline code give bit-identical models.
/// </summary>
public sealed class VaeTextContext
{
    private readonly Core.Rng _seeds;
    private readonly object _lock = new();

    /// <summary>Creates a context.</summary>
    /// <param name="seed">Seed for every component's randomness. Null means the fixed default seed 0: VaeText never draws from the clock.</param>
    public VaeTextContext(int? seed = null)
    {
        Seed = seed;
        _seeds = new Core.Rng(seed ?? 0);
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        BinaryClassification = new BinaryClassificationCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        Regression = new RegressionCatalog(this);
        Model = new ModelOperationsCatalog(this);
    }

    /// <summary>The seed given at construction.</summary>
    public int? Seed { get; }
    /// <summary>Loading, saving, splitting and previewing data.</summary>
    public DataOperationsCatalog Data { get; }
    /// <summary>Transforms: conversion (keys), text, concatenation, normalization, VAE latent features.</summary>
    public TransformsCatalog Transforms { get; }
    /// <summary>Binary classification trainers (added by extension methods on <see cref="BinaryClassificationCatalog.BinaryClassificationTrainers"/>).</summary>
    public BinaryClassificationCatalog BinaryClassification { get; }
    /// <summary>Multiclass classification trainers.</summary>
    public MulticlassClassificationCatalog MulticlassClassification { get; }
    /// <summary>Regression trainers.</summary>
    public RegressionCatalog Regression { get; }
    /// <summary>Saving, loading and prediction engines.</summary>
    public ModelOperationsCatalog Model { get; }

    /// <summary>The next component seed (deterministic sequence derived from <see cref="Seed"/>; thread-safe).</summary>
    internal int NextSeed()
    {
        lock (_lock) return (int)(_seeds.NextUInt64() >> 33);
    }
}
