using System.Reflection;
using Microsoft.ML;

namespace VaeText.Experiments;

/// <summary>
/// Stops ML.NET work that has started when a token is cancelled. ML.NET's trainers and transforms check their
/// MLContext for cancellation as they go, but the method that requests it (<c>MLContext.CancelExecution</c>) is not
/// public in Microsoft.ML 5 (the Microsoft.ML.Experimental package exposes it); it is called by reflection here. A
/// cancelled context stays cancelled, so use one context per piece of work. If the method is ever missing, work
/// runs to its end and the caller's own checks stop the run afterwards.
/// </summary>
internal static class MLContextCancellation
{
    private static readonly MethodInfo? s_cancel =
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public, Type.EmptyTypes);

    /// <summary>True when cancellation can reach started ML.NET work.</summary>
    public static bool Supported => s_cancel is not null;

    /// <summary>Cancels <paramref name="ml"/> when <paramref name="token"/> is cancelled; dispose the result when the work is done.</summary>
    public static CancellationTokenRegistration Link(MLContext ml, CancellationToken token) =>
        s_cancel is null || !token.CanBeCanceled ? default : token.Register(() => s_cancel.Invoke(ml, null));
}
