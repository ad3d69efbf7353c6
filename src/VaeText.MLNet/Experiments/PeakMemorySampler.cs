namespace VaeText.Experiments;

/// <summary>
/// Measures the extra memory one piece of work needs: samples the process working set on a timer (every 20 ms)
/// while the work runs and reports the peak above the level measured just before it started (after a garbage
/// collection, so that garbage of earlier work is not counted as this work's baseline headroom). Approximate: the
/// resolution is the sampling period, and memory the runtime keeps from earlier work may be reused.
/// </summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly long _baseline;
    private long _peak;
    private readonly Timer _timer;

    /// <summary>Starts sampling.</summary>
    public PeakMemorySampler()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _baseline = Environment.WorkingSet;
        _peak = _baseline;
        _timer = new Timer(_ => Sample(), null, 0, 20);
    }

    private void Sample()
    {
        long now = Environment.WorkingSet;
        long seen;
        while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
    }

    /// <summary>Peak working set above the starting level so far, MB.</summary>
    public double PeakAboveBaselineMb
    {
        get
        {
            Sample();
            return Math.Max(0, Interlocked.Read(ref _peak) - _baseline) / (1024.0 * 1024.0);
        }
    }

    /// <summary>Stops sampling.</summary>
    public void Dispose() => _timer.Dispose();
}
