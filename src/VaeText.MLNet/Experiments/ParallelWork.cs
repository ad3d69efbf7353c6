using System.Runtime.ExceptionServices;

namespace VaeText.Experiments;

/// <summary>Runs independent pieces of work a bounded number at a time.</summary>
internal static class ParallelWork
{
    /// <summary>
    /// Runs <paramref name="body"/> for 0 ≤ i &lt; <paramref name="count"/>, at most <paramref name="degree"/> at a time
    /// (in order on the calling thread when 1). Every piece runs to its end (or its own exception); then the exception of
    /// the lowest index, if any, is rethrown as it was thrown (not wrapped), so callers see the same exceptions as in a loop.
    /// </summary>
    public static void For(int count, int degree, Action<int> body)
    {
        if (degree <= 1 || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        var errors = new Exception?[count];
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = degree }, i =>
        {
            try { body(i); }
            catch (Exception e) { errors[i] = e; }
        });
        foreach (var e in errors)
            if (e is not null) ExceptionDispatchInfo.Capture(e).Throw();
    }
}
