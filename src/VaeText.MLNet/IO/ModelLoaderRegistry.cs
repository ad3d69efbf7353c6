using System.Collections.Concurrent;
using System.Reflection;

namespace VaeText.IO;

/// <summary>
/// Maps loader signatures (stable names written in model files) to static <c>Load(ModelLoadContext)</c> methods.
/// Types of this library are registered automatically from their <see cref="ModelLoaderAttribute"/>.
/// </summary>
public static class ModelLoaderRegistry
{
    private static readonly ConcurrentDictionary<string, Func<ModelLoadContext, object>> s_loaders = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Assembly, bool> s_scanned = new();

    static ModelLoaderRegistry() { RegisterAssembly(typeof(ModelLoaderRegistry).Assembly); }

    /// <summary>Registers every class of <paramref name="assembly"/> carrying <see cref="ModelLoaderAttribute"/>.</summary>
    /// <exception cref="InvalidOperationException">A marked class lacks a static Load(ModelLoadContext), or a signature is taken twice.</exception>
    public static void RegisterAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (!s_scanned.TryAdd(assembly, true)) return;
        foreach (var type in assembly.GetTypes())
        {
            var attr = type.GetCustomAttribute<ModelLoaderAttribute>();
            if (attr is null) continue;
            var m = type.GetMethod("Load", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(ModelLoadContext)])
                ?? throw new InvalidOperationException($"{type.FullName} has [ModelLoader(\"{attr.Signature}\")] but no static Load(ModelLoadContext)");
            Register(attr.Signature, ctx => m.Invoke(null, [ctx]) ?? throw new InvalidDataException($"loader '{attr.Signature}' returned null"));
        }
    }

    /// <summary>Registers one loader explicitly.</summary>
    public static void Register(string signature, Func<ModelLoadContext, object> loader)
    {
        ArgumentException.ThrowIfNullOrEmpty(signature);
        ArgumentNullException.ThrowIfNull(loader);
        if (!s_loaders.TryAdd(signature, loader)) throw new InvalidOperationException($"model loader signature '{signature}' is registered twice");
    }

    internal static object Invoke(string signature, ModelLoadContext ctx)
    {
        if (!s_loaders.TryGetValue(signature, out var loader))
            throw new InvalidDataException($"model entry '{ctx.EntryName}' needs loader '{signature}', which is not registered (file from a newer or different library?)");
        try { return loader(ctx); }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
