namespace VaeText.Cli;

/// <summary>
/// Runs work that cannot observe a cancellation token itself (ML.NET's trainers take cancellation only through an
/// internal MLContext method) so that Ctrl-C / SIGTERM still end the command at once: the caller stops waiting and
/// reports the cancellation; the abandoned work runs to its end in the background (or dies with the process), and
/// what it returns then is disposed. Nothing it produces is written anywhere.
/// </summary>
internal static class Cancellable
{
    /// <summary>Runs <paramref name="work"/> on its own thread and waits for it or for <paramref name="ct"/>.</summary>
    public static T Run<T>(Func<T> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            task.Wait(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) (t.Result as IDisposable)?.Dispose();
                else _ = t.Exception; // observed: nobody is waiting for it any more
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        catch (AggregateException) { }
        return task.GetAwaiter().GetResult();
    }
}
