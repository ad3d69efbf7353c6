namespace VaeText;

/// <summary>Base of the task catalogs: gives extension methods the owning context.</summary>
public abstract class CatalogBase
{
    /// <summary>The owning context (seeds for trainers: <c>Context.NextSeed()</c> inside the library).</summary>
    internal VaeTextContext Context { get; }
    private protected CatalogBase(VaeTextContext context) { Context = context; }
}

/// <summary>
/// Binary classification (ML.NET's <c>BinaryClassificationCatalog</c>). Trainers are extension methods on
/// <see cref="Trainers"/>; evaluation helpers are extension methods on this catalog.
/// </summary>
public sealed class BinaryClassificationCatalog : CatalogBase
{
    internal BinaryClassificationCatalog(VaeTextContext context) : base(context) { Trainers = new(context); }
    /// <summary>The trainers (FastTree, SDCA, ... as extension methods).</summary>
    public BinaryClassificationTrainers Trainers { get; }
    /// <summary>Holder of binary trainer extension methods.</summary>
    public sealed class BinaryClassificationTrainers : CatalogBase { internal BinaryClassificationTrainers(VaeTextContext c) : base(c) { } }
}

/// <summary>Multiclass classification (ML.NET's <c>MulticlassClassificationCatalog</c>).</summary>
public sealed class MulticlassClassificationCatalog : CatalogBase
{
    internal MulticlassClassificationCatalog(VaeTextContext context) : base(context) { Trainers = new(context); }
    /// <summary>The trainers (as extension methods).</summary>
    public MulticlassClassificationTrainers Trainers { get; }
    /// <summary>Holder of multiclass trainer extension methods.</summary>
    public sealed class MulticlassClassificationTrainers : CatalogBase { internal MulticlassClassificationTrainers(VaeTextContext c) : base(c) { } }
}

/// <summary>Regression (ML.NET's <c>RegressionCatalog</c>).</summary>
public sealed class RegressionCatalog : CatalogBase
{
    internal RegressionCatalog(VaeTextContext context) : base(context) { Trainers = new(context); }
    /// <summary>The trainers (as extension methods).</summary>
    public RegressionTrainers Trainers { get; }
    /// <summary>Holder of regression trainer extension methods.</summary>
    public sealed class RegressionTrainers : CatalogBase { internal RegressionTrainers(VaeTextContext c) : base(c) { } }
}
