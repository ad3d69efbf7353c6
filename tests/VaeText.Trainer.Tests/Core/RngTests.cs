using NUnit.Framework;
using VaeText.Core;

namespace VaeText.Tests.Core;

public class RngTests
{
    [Test]
    public void SameSeedSameStream()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 100; i++) Assert.That(a.NextUInt64(), Is.EqualTo(b.NextUInt64()));
    }

    [Test]
    public void GaussianHasUnitMoments()
    {
        var r = new Rng(7);
        double s = 0, s2 = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++) { double g = r.NextGaussian(); s += g; s2 += g * g; }
        Assert.That(s / n, Is.EqualTo(0).Within(0.01));
        Assert.That(s2 / n, Is.EqualTo(1).Within(0.01));
    }

    [Test]
    public void NextIntStaysInRange()
    {
        var r = new Rng(3);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.NextInt(7)]++;
        foreach (var c in counts) Assert.That(c, Is.InRange(9_000, 11_000));
    }

    [Test]
    public void StateRoundTrips()
    {
        var r = new Rng(5);
        r.NextGaussian();
        var st = r.GetState();
        var x = r.NextGaussian();
        var r2 = new Rng(0);
        r2.SetState(st);
        Assert.That(r2.NextGaussian(), Is.EqualTo(x));
    }
}
