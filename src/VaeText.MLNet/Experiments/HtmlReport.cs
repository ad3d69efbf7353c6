using System.Globalization;
using System.Text;

namespace VaeText.Experiments;

/// <summary>
/// Renders a comparison run as one self-contained HTML file: inline CSS and SVG only (no scripts, no network).
/// Element ids: <c>chart-training</c>, <c>chart-leaderboard</c>, <c>chart-confusion</c>, <c>chart-latent-map</c>
/// (SVG charts), <c>leaderboard-table</c>, <c>top-words</c>. All text taken from data is HTML-escaped.
/// </summary>
internal static class HtmlReport
{
    private static readonly string[] Palette =
    {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
    };

    /// <summary>Escapes text for HTML element content and attribute values.</summary>
    public static string Escape(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    // Control characters are not allowed in HTML text; show them as spaces.
                    sb.Append(char.IsControl(c) && c is not '\n' and not '\t' ? ' ' : c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static string F(double v, string format = "0.##") =>
        double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "0";

    /// <summary>Class colour for index <paramref name="i"/>.</summary>
    internal static string ColorOf(int i) => Palette[((i % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>Renders the report.</summary>
    public static string Render(ComparisonReport report)
    {
        var sb = new StringBuilder(64 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<title>VaeText comparison: ").Append(Escape(Path.GetFileName(report.Dataset))).Append("</title>\n");
        sb.Append("<style>\n")
          .Append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;background:#fff;max-width:1150px}\n")
          .Append("h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}\n")
          .Append(".meta{color:#555}table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n")
          .Append("th{background:#f3f3f3}td.l,th.l{text-align:left}svg{background:#fcfcfc;border:1px solid #e5e5e5}\n")
          .Append(".axis{stroke:#888;stroke-width:1}.grid{stroke:#e6e6e6;stroke-width:1}svg text{font-size:11px;fill:#333}\n")
          .Append(".note{color:#777;font-style:italic}.words td{text-align:left}.words td:nth-child(2){text-align:right}\n.topics{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}\n")
          .Append("</style></head><body>\n");
        sb.Append("<h1>VaeText comparison run</h1>\n<p class=\"meta\">Dataset <code>").Append(Escape(report.Dataset)).Append("</code>");
        if (report.TestDataset is not null) sb.Append(", test <code>").Append(Escape(report.TestDataset)).Append("</code>");
        sb.Append(CultureInfo.InvariantCulture, $" · {report.TrainCount} training / {report.TestCount} evaluation documents · {report.Classes.Count} classes · evaluated on the {Escape(report.Evaluation)} · {F(report.TotalSeconds, "0.0")} s</p>\n");
        if (report.Best is { } best)
            sb.Append("<p>Selected pipeline: <b>").Append(Escape(best.Spec.Name)).Append("</b> (").Append(Escape(best.LabelsText))
              .Append(" labels): cross-validated accuracy <b>").Append(Escape(Leaderboard.FormatCv(best))).Append(" %</b> on the labelled rows, test accuracy <b>")
              .Append(Escape(Leaderboard.FormatAccuracy(best))).Append(" %</b>.</p>\n");
        sb.Append("<p class=\"meta\">Selection: ").Append(Escape(report.Selection)).Append(". The leaderboard is ranked by the cross-validated accuracy; the test accuracy beside it played no part.</p>\n");

        sb.Append("<h2>Leaderboard</h2>\n");
        AppendLeaderboardChart(sb, report);
        AppendLeaderboardTable(sb, report);
        sb.Append("<h2>VAE training curves</h2>\n");
        AppendTrainingCurves(sb, report);
        sb.Append("<h2>Confusion matrix of the selected model (test split)</h2>\n");
        AppendConfusion(sb, report);
        sb.Append("<h2>Latent space (PCA of latent means)</h2>\n");
        AppendLatentMap(sb, report);
        sb.Append("<h2>Top words per latent dimension and LDA topic</h2>\n");
        AppendTopWords(sb, report);
        sb.Append("<p class=\"meta\">Generated by VaeText at ").Append(report.FinishedUtc.ToString("u", CultureInfo.InvariantCulture)).Append(".</p>\n");
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static void AppendLeaderboardTable(StringBuilder sb, ComparisonReport report)
    {
        sb.Append("<table id=\"leaderboard-table\"><thead><tr><th>Rank</th><th class=\"l\">Pipeline</th><th>Labels</th><th>Seeds</th>")
          .Append("<th>CV accuracy %</th><th>Test accuracy %</th><th>Macro acc. %</th><th>Fit s</th><th>Peak MB</th><th class=\"l\">Status</th></tr></thead><tbody>\n");
        foreach (var r in report.Candidates)
        {
            sb.Append("<tr><td>").Append(r.Rank > 0 ? r.Rank.ToString(CultureInfo.InvariantCulture) : "—")
              .Append("</td><td class=\"l\">").Append(r.Selected ? "<b>" + Escape(r.Spec.Name) + "</b> (selected)" : Escape(r.Spec.Name))
              .Append("</td><td>").Append(Escape(r.LabelsText))
              .Append("</td><td>").Append(r.Seeds.ToString(CultureInfo.InvariantCulture))
              .Append("</td><td>").Append(Escape(Leaderboard.FormatCv(r)))
              .Append("</td><td>").Append(Escape(Leaderboard.FormatAccuracy(r)))
              .Append("</td><td>").Append(!r.HasTest ? "—" : F(100 * r.MacroAccuracyMean, "0.00"))
              .Append("</td><td>").Append(F(r.FitSeconds, "0.00"))
              .Append("</td><td>").Append(F(r.PeakMemoryMb, "0"))
              .Append("</td><td class=\"l\">").Append(Escape(r.Status)).Append("</td></tr>\n");
        }
        sb.Append("</tbody></table>\n");
    }

    private static void AppendLeaderboardChart(StringBuilder sb, ComparisonReport report)
    {
        var rows = report.Candidates.Where(r => r.Seeds > 0 && double.IsFinite(Shown(r))).ToList();
        bool anyTest = rows.Any(r => r.HasTest);
        const int labelW = 330, plotW = 700, rowH = 20, top = 30;
        int height = top + Math.Max(1, rows.Count) * rowH + 40;
        int width = labelW + plotW + 60;
        sb.Append(CultureInfo.InvariantCulture, $"<svg id=\"chart-leaderboard\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Leaderboard accuracy chart\">\n");
        double lo = rows.Count == 0 ? 0 : Math.Max(0, Math.Floor(10 * rows.Min(r => Shown(r) - (r.HasTest ? r.AccuracyStd : 0)) - 0.5) / 10);
        double hi = 1.0;
        if (hi - lo < 0.05) lo = Math.Max(0, hi - 0.05);
        double X(double a) => labelW + (a - lo) / (hi - lo) * plotW;
        for (int t = 0; t <= 10; t++)
        {
            double a = lo + (hi - lo) * t / 10;
            double x = X(a);
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{F(x)}\" y1=\"{top - 5}\" x2=\"{F(x)}\" y2=\"{height - 30}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{height - 14}\" text-anchor=\"middle\">{F(100 * a, "0.#")}</text>\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW + plotW / 2}\" y=\"16\" text-anchor=\"middle\">{(anyTest ? "test accuracy % (mean ± std over seeds); ranked by cross-validated accuracy, ★ = selected" : "cross-validated accuracy % (mean over seeds), ★ = selected")}</text>\n");
        if (rows.Count == 0)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW}\" y=\"{top + 14}\">no candidate was evaluated</text>\n");
        var groups = rows.Select(r => r.Labels).Distinct().ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            double y = top + i * rowH;
            string color = ColorOf(groups.IndexOf(r.Labels));
            double x1 = X(Math.Max(lo, Shown(r)));
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW - 6}\" y=\"{F(y + 14)}\" text-anchor=\"end\">{(r.Selected ? "★ " : "")}{Escape(r.Spec.Name)} · {Escape(r.LabelsText)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelW}\" y=\"{F(y + 3)}\" width=\"{F(Math.Max(1, x1 - labelW))}\" height=\"{rowH - 6}\" fill=\"{color}\" opacity=\"0.85\"><title>{Escape(r.Spec.Name)}: CV {Escape(Leaderboard.FormatCv(r))} %, test {Escape(Leaderboard.FormatAccuracy(r))} %</title></rect>");
            if (r.HasTest && r.Accuracies.Count > 1 && r.AccuracyStd > 0)
            {
                double a = X(Math.Max(lo, r.AccuracyMean - r.AccuracyStd)), b = X(Math.Min(hi, r.AccuracyMean + r.AccuracyStd));
                sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(a)}\" y1=\"{F(y + rowH / 2.0)}\" x2=\"{F(b)}\" y2=\"{F(y + rowH / 2.0)}\" stroke=\"#000\" stroke-width=\"1.5\"/>");
            }
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x1 + 4)}\" y=\"{F(y + 14)}\">{F(100 * Shown(r), "0.0")}</text>\n");
        }
        sb.Append("</svg>\n");
    }

    /// <summary>The accuracy a chart bar shows: the test accuracy when there is a test split, else the cross-validated one.</summary>
    private static double Shown(CandidateResult r) => r.HasTest ? r.AccuracyMean : r.CvMean;

    private static void AppendTrainingCurves(StringBuilder sb, ComparisonReport report)
    {
        const int panelW = 360, panelH = 240, padL = 56, padB = 36, padT = 28, padR = 12;
        int width = 3 * panelW, height = panelH + 30 + 18 * Math.Max(1, (report.VaeRuns.Count + 2) / 3);
        sb.Append(CultureInfo.InvariantCulture, $"<svg id=\"chart-training\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"VAE training curves\">\n");
        var metrics = new (string Name, Func<VaeEpochPoint, double> Get)[]
        {
            ("reconstruction (nats/doc)", e => e.Reconstruction), ("KL (nats/doc)", e => e.Kl), ("−ELBO (nats/doc)", e => e.NegativeElbo),
        };
        var runs = report.VaeRuns.Where(r => r.Epochs.Count > 0).ToList();
        for (int m = 0; m < metrics.Length; m++)
        {
            double ox = m * panelW;
            var values = runs.SelectMany(r => r.Epochs.Select(metrics[m].Get)).Where(double.IsFinite).ToList();
            double vmin = values.Count == 0 ? 0 : values.Min(), vmax = values.Count == 0 ? 1 : values.Max();
            if (vmax - vmin < 1e-9) { vmax += 0.5; vmin -= 0.5; }
            int maxEpoch = runs.Count == 0 ? 1 : Math.Max(1, runs.Max(r => r.Epochs.Max(e => e.Epoch)));
            double X(double ep) => ox + padL + (maxEpoch <= 1 ? 0.5 : (ep - 1) / (maxEpoch - 1)) * (panelW - padL - padR);
            double Y(double v) => padT + (1 - (v - vmin) / (vmax - vmin)) * (panelH - padT - padB);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(ox + panelW / 2.0)}\" y=\"16\" text-anchor=\"middle\">{Escape(metrics[m].Name)}</text>\n");
            for (int t = 0; t <= 4; t++)
            {
                double v = vmin + (vmax - vmin) * t / 4;
                sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{F(ox + padL)}\" y1=\"{F(Y(v))}\" x2=\"{F(ox + panelW - padR)}\" y2=\"{F(Y(v))}\"/><text x=\"{F(ox + padL - 4)}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{F(v, Math.Abs(vmax) >= 100 ? "0" : "0.##")}</text>\n");
            }
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{F(ox + padL)}\" y1=\"{panelH - padB}\" x2=\"{F(ox + panelW - padR)}\" y2=\"{panelH - padB}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{F(ox + padL)}\" y1=\"{padT}\" x2=\"{F(ox + padL)}\" y2=\"{panelH - padB}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(ox + padL + (panelW - padL - padR) / 2.0)}\" y=\"{panelH - 8}\" text-anchor=\"middle\">epoch (1–{maxEpoch})</text>\n");
            for (int r = 0; r < runs.Count; r++)
            {
                var pts = runs[r].Epochs.Where(e => double.IsFinite(metrics[m].Get(e)))
                    .Select(e => F(X(e.Epoch)) + "," + F(Y(metrics[m].Get(e)))).ToList();
                if (pts.Count == 0) continue;
                string color = ColorOf(r);
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', pts)}\"/>");
                foreach (var p in pts)
                {
                    var xy = p.Split(',');
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"2.5\" fill=\"{color}\"/>");
                }
                sb.Append('\n');
            }
        }
        if (runs.Count == 0)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{padL}\" y=\"{panelH / 2}\">no VAE was trained in this run</text>\n");
        for (int r = 0; r < runs.Count; r++)
        {
            double lx = 10 + (r % 3) * panelW, ly = panelH + 18 + 18 * (r / 3);
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(lx)}\" y=\"{F(ly - 9)}\" width=\"12\" height=\"10\" fill=\"{ColorOf(r)}\"/><text x=\"{F(lx + 18)}\" y=\"{F(ly)}\">{Escape(runs[r].Settings.Name)} ({F(runs[r].Seconds, "0.0")} s)</text>\n");
        }
        sb.Append("</svg>\n");
    }

    private static void AppendConfusion(StringBuilder sb, ComparisonReport report)
    {
        var cm = report.BestConfusion;
        int k = report.Classes.Count;
        int cell = Math.Clamp(480 / Math.Max(1, k), 18, 60);
        const int labelW = 150, top = 150;
        int width = labelW + k * cell + 40, height = top + k * cell + 40;
        sb.Append(CultureInfo.InvariantCulture, $"<svg id=\"chart-confusion\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Confusion matrix heat map\">\n");
        if (cm is null || cm.GetLength(0) != k)
        {
            sb.Append("<text x=\"10\" y=\"30\">no model was evaluated on a test split</text></svg>\n");
            return;
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW + k * cell / 2.0}\" y=\"14\" text-anchor=\"middle\">predicted class →  (rows: true class; shade = fraction of the row)</text>\n");
        for (int t = 0; t < k; t++)
        {
            int rowTotal = 0;
            for (int p = 0; p < k; p++) rowTotal += cm[t, p];
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelW - 6}\" y=\"{F(top + t * cell + cell / 2.0 + 4)}\" text-anchor=\"end\">{Escape(Shorten(report.Classes[t], 22))}</text>");
            for (int p = 0; p < k; p++)
            {
                double frac = rowTotal == 0 ? 0 : (double)cm[t, p] / rowTotal;
                // White → deep blue.
                int rC = (int)Math.Round(255 - frac * (255 - 8)), gC = (int)Math.Round(255 - frac * (255 - 69)), bC = (int)Math.Round(255 - frac * (255 - 148));
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{labelW + p * cell}\" y=\"{top + t * cell}\" width=\"{cell}\" height=\"{cell}\" fill=\"rgb({rC},{gC},{bC})\" stroke=\"#fff\"><title>true {Escape(report.Classes[t])}, predicted {Escape(report.Classes[p])}: {cm[t, p]}</title></rect>");
                if (cell >= 26)
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(labelW + p * cell + cell / 2.0)}\" y=\"{F(top + t * cell + cell / 2.0 + 4)}\" text-anchor=\"middle\" style=\"fill:{(frac > 0.5 ? "#fff" : "#222")}\">{cm[t, p]}</text>");
            }
            sb.Append('\n');
        }
        for (int p = 0; p < k; p++)
        {
            double x = labelW + p * cell + cell / 2.0 + 4, y = top - 6;
            sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"rotate(-55 {F(x)} {F(y)})\" x=\"{F(x)}\" y=\"{F(y)}\">{Escape(Shorten(report.Classes[p], 22))}</text>\n");
        }
        sb.Append("</svg>\n");
    }

    private static void AppendLatentMap(StringBuilder sb, ComparisonReport report)
    {
        const int size = 560, pad = 40, legendW = 220;
        int width = size + legendW, height = size;
        sb.Append(CultureInfo.InvariantCulture, $"<svg id=\"chart-latent-map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"PCA map of latent means\">\n");
        var map = report.LatentMap;
        if (map is null || map.X.Length == 0)
        {
            sb.Append("<text x=\"10\" y=\"30\">no VAE was trained in this run</text></svg>\n");
            return;
        }
        double xmin = map.X.Min(), xmax = map.X.Max(), ymin = map.Y.Min(), ymax = map.Y.Max();
        if (xmax - xmin < 1e-12) { xmax += 1; xmin -= 1; }
        if (ymax - ymin < 1e-12) { ymax += 1; ymin -= 1; }
        double X(double v) => pad + (v - xmin) / (xmax - xmin) * (size - 2 * pad);
        double Y(double v) => size - pad - (v - ymin) / (ymax - ymin) * (size - 2 * pad);
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{pad}\" y=\"{pad}\" width=\"{size - 2 * pad}\" height=\"{size - 2 * pad}\" fill=\"none\" class=\"axis\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{size / 2}\" y=\"{size - 12}\" text-anchor=\"middle\">PC1 ({F(100 * map.ExplainedFirst, "0.0")} % of variance)</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"rotate(-90 14 {size / 2})\" x=\"14\" y=\"{size / 2}\" text-anchor=\"middle\">PC2 ({F(100 * map.ExplainedSecond, "0.0")} % of variance)</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{size / 2}\" y=\"24\" text-anchor=\"middle\">{Escape(map.Source)}</text>\n");
        for (int i = 0; i < map.X.Length; i++)
            sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(map.X[i]), "0.#")}\" cy=\"{F(Y(map.Y[i]), "0.#")}\" r=\"2.6\" fill=\"{ColorOf(map.ClassIndex[i])}\" fill-opacity=\"0.7\"/>");
        sb.Append('\n');
        for (int c = 0; c < report.Classes.Count && c < 40; c++)
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{size + 10}\" y=\"{pad + c * 18 - 9}\" width=\"12\" height=\"10\" fill=\"{ColorOf(c)}\"/><text x=\"{size + 28}\" y=\"{pad + c * 18}\">{Escape(Shorten(report.Classes[c], 26))}</text>\n");
        sb.Append("</svg>\n");
    }

    private static void AppendTopWords(StringBuilder sb, ComparisonReport report)
    {
        var run = report.Best?.Spec.Vae is { } v ? report.VaeRuns.FirstOrDefault(r => r.Settings == v) : null;
        run ??= report.VaeRuns.FirstOrDefault(r => r.TopWords.Count > 0);
        AppendCoherenceSummary(sb, report);
        sb.Append("<div class=\"topics\">\n");
        if (run is null || run.TopWords.Count == 0)
            sb.Append("<p id=\"top-words\" class=\"note\">No VAE was trained in this run.</p>\n");
        else
        {
            sb.Append("<div><p>").Append(Escape(run.Settings.Name)).Append(": the words each latent dimension raises most in the decoder.</p>\n");
            AppendTopicTable(sb, "top-words", "Dim", run.TopWords, run.Coherence);
            sb.Append("</div>\n");
        }
        foreach (var lda in report.LdaRuns)
        {
            sb.Append("<div><p>").Append(Escape(lda.Name)).Append(" (ML.NET LatentDirichletAllocation): the words of highest weight in each topic.</p>\n");
            AppendTopicTable(sb, "lda-topics", "Topic", lda.TopWords, lda.Coherence);
            sb.Append("</div>\n");
        }
        sb.Append("</div>\n");
    }

    /// <summary>Mean NPMI of every topic model of the run, and how it was measured.</summary>
    private static void AppendCoherenceSummary(StringBuilder sb, ComparisonReport report)
    {
        var rows = report.VaeRuns.Where(r => r.Coherence is not null).Select(r => (Name: r.Settings.Name, C: r.Coherence!))
            .Concat(report.LdaRuns.Where(r => r.Coherence is not null).Select(r => (r.Name, C: r.Coherence!))).ToList();
        if (rows.Count == 0) return;
        sb.Append("<table id=\"topic-coherence\"><thead><tr><th class=\"l\">Topic model</th><th>Topics</th><th>Mean NPMI</th></tr></thead><tbody>\n");
        foreach (var (name, c) in rows)
            sb.Append("<tr><td class=\"l\">").Append(Escape(name)).Append("</td><td>").Append(c.Words.Count.ToString(CultureInfo.InvariantCulture))
              .Append("</td><td>").Append(Leaderboard.FormatNpmi(c.MeanNpmi)).Append("</td></tr>\n");
        sb.Append("</tbody></table>\n<p class=\"meta\">").Append(Escape(TopicCoherence.Description)).Append("</p>\n");
    }

    private static void AppendTopicTable(StringBuilder sb, string id, string header, IReadOnlyList<IReadOnlyList<string>> topics, TopicCoherence? coherence)
    {
        sb.Append("<table id=\"").Append(id).Append("\" class=\"words\"><thead><tr><th>").Append(header)
          .Append("</th><th>NPMI</th><th class=\"l\">Top words</th></tr></thead><tbody>\n");
        for (int d = 0; d < topics.Count; d++)
            sb.Append("<tr><td>").Append(d.ToString(CultureInfo.InvariantCulture)).Append("</td><td>")
              .Append(coherence is null ? "—" : Leaderboard.FormatNpmi(coherence.Npmi[d])).Append("</td><td>")
              .Append(Escape(string.Join(", ", topics[d]))).Append("</td></tr>\n");
        sb.Append("</tbody></table>\n");
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
