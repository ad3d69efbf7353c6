using System.Runtime.ExceptionServices;

namespace VaeText.Tensors;

/// <summary>One unit of parallel work: <see cref="Run"/> is called once for every part index.</summary>
internal abstract class PartJob
{
    /// <summary>Does part <paramref name="part"/> of the work.</summary>
    public abstract void Run(int part);
}

/// <summary>
/// A small pool of persistent worker threads for the kernels: no allocation per call, the caller runs part 0.
/// Parts are numbered by the kernel's fixed partition, so which thread runs a part never changes a result.
/// If the pool is busy (another thread's kernel, or a nested call) the parts run on the calling thread.
/// </summary>
internal static class KernelPool
{
    private static readonly object Gate = new();
    private static Worker[] workers = Array.Empty<Worker>();
    private static PartJob? current;
    private static readonly CountdownEvent Done = new(0);
    [ThreadStatic] private static bool insidePool;

    /// <summary>Runs <c>job.Run(p)</c> for p in [0, parts), in parallel where possible; rethrows the first error.</summary>
    public static void Run(PartJob job, int parts)
    {
        if (parts <= 0) return;
        if (parts == 1 || insidePool || !Monitor.TryEnter(Gate))
        {
            for (int p = 0; p < parts; p++) job.Run(p);
            return;
        }
        try
        {
            insidePool = true;
            EnsureWorkers(parts - 1);
            current = job;
            Done.Reset(parts - 1);
            for (int w = 0; w < parts - 1; w++) workers[w].Start(w + 1);
            Exception? first = null;
            try { job.Run(0); }
            catch (Exception e) { first = e; }
            Done.Wait();
            current = null;
            for (int w = 0; w < parts - 1; w++)
            {
                var e = workers[w].TakeError();
                first ??= e;
            }
            if (first != null) ExceptionDispatchInfo.Capture(first).Throw();
        }
        finally
        {
            insidePool = false;
            Monitor.Exit(Gate);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (workers.Length >= count) return;
        var grown = new Worker[count];
        Array.Copy(workers, grown, workers.Length);
        for (int i = workers.Length; i < count; i++) grown[i] = new Worker(i);
        workers = grown;
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim go = new(false, 200);
        private int part;
        private Exception? error;

        public Worker(int index)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = $"VaeText kernel worker {index + 1}" };
            t.Start();
        }

        public void Start(int p)
        {
            part = p;
            go.Set();
        }

        public Exception? TakeError()
        {
            var e = error;
            error = null;
            return e;
        }

        private void Loop()
        {
            insidePool = true;
            while (true)
            {
                go.Wait();
                go.Reset();
                try { current!.Run(part); }
                catch (Exception e) { error = e; }
                Done.Signal();
            }
        }
    }

    /// <summary>Splits <paramref name="count"/> items into <paramref name="parts"/> contiguous balanced ranges.</summary>
    public static (int Start, int End) Range(int count, int parts, int part)
        => ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>Number of parts for <paramref name="units"/> independent units of about <paramref name="workPerUnit"/> flops.</summary>
    public static int Parts(long units, double workPerUnit, double minWorkPerPart = 200_000)
    {
        int t = KernelOptions.MaxThreads;
        if (t <= 1 || units <= 1) return 1;
        double total = units * workPerUnit;
        int byWork = (int)Math.Max(1, Math.Min(t, total / minWorkPerPart));
        return (int)Math.Min(byWork, units);
    }
}
