using System.Diagnostics;
using NUnit.Framework;
using VaeText.Experiments;

namespace VaeText.MLNet.Tests.Experiments;

public class HtmlReportTests
{
    /// <summary>A real comparison run (TF-IDF, LDA, two VAE configurations) on the tiny corpus with hostile class names.</summary>
    private static ComparisonReport Sample(string evil)
    {
        using var corpus = new TinyCorpus(labelPrefix: evil);
        var vae = new VaeSettings(4, 5);
        var options = new ComparisonOptions
        {
            TrainPath = corpus.Train, TestPath = corpus.Test, Vae = vae, Labeled = [9, null], Seeds = 2, LdaTopics = 4,
            Candidates =
            [
                new(FeaturizerKind.Ngrams, TrainerKind.Sdca, null), new(FeaturizerKind.Lda, TrainerKind.Sdca, null, 4),
                new(FeaturizerKind.Vae, TrainerKind.Sdca, vae), new(FeaturizerKind.Vae, TrainerKind.Sdca, vae with { Latent = 2 }),
            ],
        };
        using var outcome = new ComparisonRunner().Run(options, null, CancellationToken.None);
        return outcome.Report;
    }

    [Test]
    public void ReportIsSelfContainedAndEscapesUserText()
    {
        const string evil = "<script>alert(1)</script>\"'&";
        var report = Sample(evil);
        var html = HtmlReport.Render(report);
        Assert.That(html, Does.Not.Contain("<script"));
        Assert.That(html, Does.Contain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"));
        foreach (var id in new[] { "chart-training", "chart-leaderboard", "chart-confusion", "chart-latent-map", "leaderboard-table", "top-words" })
            Assert.That(html, Does.Contain($"id=\"{id}\""), id);
        // No network: no external URLs other than the SVG namespace identifier.
        var withoutNs = html.Replace("http://www.w3.org/2000/svg", "");
        Assert.That(withoutNs, Does.Not.Contain("http://").And.Not.Contain("https://").And.Not.Contain("src="));
        Assert.That(HtmlReport.Render(report), Is.EqualTo(html), "rendering is deterministic");
    }

    [Test]
    public void ReportRendersInHeadlessChromium()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        if (chromium is null) Assert.Ignore("chromium is not installed");
        var dir = Path.Combine(Path.GetTempPath(), "vaetext-report-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var htmlPath = Path.Combine(dir, "report.html");
            File.WriteAllText(htmlPath, HtmlReport.Render(Sample("<&>")));
            var png = Path.Combine(dir, "shot.png");
            string common = $"--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage --user-data-dir={Path.Combine(dir, "profile")}";
            var (_, shotErr) = RunChromium(chromium!, $"{common} --enable-logging=stderr --v=0 --screenshot={png} --window-size=1200,2000 file://{htmlPath}");
            Assert.That(File.Exists(png), "no screenshot; chromium said: " + shotErr);
            var consoleLines = shotErr.Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal) || l.Contains("Uncaught", StringComparison.Ordinal)).ToList();
            Assert.That(consoleLines, Is.Empty, "console messages: " + string.Join("\n", consoleLines));
            var (w, h, ch, pixels) = PngReader.Decode(File.ReadAllBytes(png));
            Assert.That(w, Is.GreaterThan(100));
            Assert.That(h, Is.GreaterThan(100));
            double mean = 0, m2 = 0; long n = 0;
            int distinct = 0; var seen = new HashSet<int>();
            for (int i = 0; i + 2 < pixels.Length; i += ch)
            {
                double v = ch >= 3 ? (pixels[i] + pixels[i + 1] + pixels[i + 2]) / 3.0 : pixels[i];
                n++; double d = v - mean; mean += d / n; m2 += d * (v - mean);
                if (ch >= 3 && seen.Count < 1000 && seen.Add(pixels[i] << 16 | pixels[i + 1] << 8 | pixels[i + 2])) distinct++;
            }
            double variance = m2 / n;
            Assert.That(variance, Is.GreaterThan(50), "screenshot looks blank");
            Assert.That(distinct, Is.GreaterThan(20), "screenshot has too few colours (charts not drawn?)");
            var (dom, _) = RunChromium(chromium!, $"{common} --dump-dom file://{htmlPath}");
            foreach (var id in new[] { "chart-training", "chart-leaderboard", "chart-confusion", "chart-latent-map", "top-words" })
                Assert.That(dom, Does.Contain($"id=\"{id}\""), id);
            Assert.That(dom.Split("<circle").Length, Is.GreaterThan(20), "latent map and curves have points");
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static (string Out, string Err) RunChromium(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 60 s");
        }
        return (outTask.Result, errTask.Result);
    }
}
