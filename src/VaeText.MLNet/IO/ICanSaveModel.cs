namespace VaeText.IO;

/// <summary>
/// Implemented by every saveable pipeline piece (transformers, trained models). <see cref="Save"/> first calls
/// <see cref="ModelSaveContext.SetVersionInfo"/> and then writes its fields with <see cref="ModelSaveContext.Writer"/>.
/// The class must also carry <see cref="ModelLoaderAttribute"/> naming its loader signature and declare
/// <c>static TSelf Load(ModelLoadContext ctx)</c> (any accessibility) that reads the same fields back, validating
/// each with <see cref="ModelLoadContext.CheckDecode"/> and the bounded readers.
/// </summary>
public interface ICanSaveModel
{
    /// <summary>Writes this object's versioned binary form.</summary>
    void Save(ModelSaveContext ctx);
}

/// <summary>
/// Version stamp of a saved object: the stable loader name, the layout version written, and the oldest reader
/// version that can read it. A reader with version V accepts a file when <c>file.MinReadableVersion &lt;= V</c>
/// and <c>file.Version &gt;= reader.MinReadableVersion</c>.
/// </summary>
/// <param name="LoaderSignature">Stable name the loader is registered under (never change it once shipped).</param>
/// <param name="Version">The layout version this code writes (and the newest it reads).</param>
/// <param name="MinReadableVersion">The oldest reader version that understands what this code writes; also the oldest version this code reads.</param>
public readonly record struct VersionInfo(string LoaderSignature, int Version, int MinReadableVersion);

/// <summary>
/// Marks a class as loadable from a model zip under <paramref name="signature"/>. The class must declare
/// <c>static T Load(ModelLoadContext ctx)</c>. Classes in the VaeText.MLNet assembly are found automatically;
/// other assemblies call <see cref="ModelLoaderRegistry.RegisterAssembly"/> once.
/// </summary>
/// <param name="signature">The stable loader name (same as the <see cref="VersionInfo.LoaderSignature"/> written).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ModelLoaderAttribute(string signature) : Attribute
{
    /// <summary>The stable loader name.</summary>
    public string Signature { get; } = signature;
}
