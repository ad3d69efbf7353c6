using VaeText.Core;
using VaeText.Experiments;

namespace VaeText.Tests.Experiments;

/// <summary>
/// A small, fully computed backend for testing the comparison orchestration: hashed bag-of-words features, a
/// seeded random projection standing in for the VAE (its "epochs" report the projection's reconstruction error),
/// and a nearest-centroid classifier. Counts calls so tests can check that each VAE configuration is trained once.
/// </summary>
internal sealed class TinyBackend : IExperimentBackend
{
    public int VaeTrainings;
    public int Fits;
    public readonly List<VaeSettings> Trained = new();
    public TimeSpan VaeDelay = TimeSpan.Zero;

    private sealed class Table(float[][] rows) : IFeatureTable
    {
        public float[][] Data { get; } = rows;
        public int Rows => Data.Length;
    }

    private sealed class Centroids(float[][] c) : IFittedClassifier
    {
        public float[][] Means { get; } = c;
    }

    private sealed class Vae(Table train, Table? test, float[][] proj, IReadOnlyList<string> vocab) : ITrainedVae
    {
        public IFeatureTable Train => train;
        public IFeatureTable? Test => test;
        public IReadOnlyList<float[]> EvaluationMeans(IReadOnlyList<int> rows) => rows.Select(i => (test ?? train).Data[i]).ToList();
        public IReadOnlyList<IReadOnlyList<string>> TopWords(int count) =>
            proj.Select(p => (IReadOnlyList<string>)Enumerable.Range(0, p.Length).OrderByDescending(j => p[j]).Take(count).Select(j => vocab[j % vocab.Count]).ToList()).ToList();
    }

    public LabeledTexts Load(string path, string labelColumn, string textColumn)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split('\t');
        int li = Array.IndexOf(header, labelColumn), ti = Array.IndexOf(header, textColumn);
        if (li < 0) throw new ArgumentException($"{path}: no column '{labelColumn}'.");
        if (ti < 0) throw new ArgumentException($"{path}: no column '{textColumn}'.");
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
        return new LabeledTexts(rows.Select(r => r[ti]).ToList(), rows.Select(r => r[li]).ToList());
    }

    private const int Dims = 64;

    private static float[] Hash(string text)
    {
        var v = new float[Dims];
        foreach (var tok in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            uint h = 2166136261;
            foreach (char c in tok) h = (h ^ c) * 16777619;
            v[h % Dims] += 1;
        }
        return v;
    }

    public (IFeatureTable Train, IFeatureTable? Test) FitNgrams(IReadOnlyList<string> train, IReadOnlyList<string>? test, CancellationToken ct) =>
        (new Table(train.Select(Hash).ToArray()), test is null ? null : new Table(test.Select(Hash).ToArray()));

    public ITrainedVae TrainVae(IReadOnlyList<string> train, IReadOnlyList<string>? test, VaeSettings settings, int seed, IProgress<VaeEpochPoint>? progress, CancellationToken ct)
    {
        VaeTrainings++;
        Trained.Add(settings);
        var rng = new Rng(seed);
        var proj = new float[settings.Latent][];
        for (int k = 0; k < settings.Latent; k++) { proj[k] = new float[Dims]; rng.FillGaussian(proj[k]); }
        for (int e = 1; e <= settings.Epochs; e++)
        {
            ct.ThrowIfCancellationRequested();
            if (VaeDelay > TimeSpan.Zero) Task.Delay(VaeDelay, ct).GetAwaiter().GetResult();
            progress?.Report(new VaeEpochPoint(e, 100.0 / e + 10, 1.0 + e * 0.1, 0.01));
        }
        float[] Encode(string t)
        {
            var x = Hash(t);
            var z = new float[settings.Latent];
            for (int k = 0; k < z.Length; k++) for (int j = 0; j < Dims; j++) z[k] += proj[k][j] * x[j];
            return z;
        }
        var vocab = Enumerable.Range(0, Dims).Select(j => "w" + j).ToList();
        return new Vae(new Table(train.Select(Encode).ToArray()), test is null ? null : new Table(test.Select(Encode).ToArray()), proj, vocab);
    }

    public IFeatureTable Concatenate(IFeatureTable left, IFeatureTable right) =>
        new Table(((Table)left).Data.Zip(((Table)right).Data, (a, b) => a.Concat(b).ToArray()).ToArray());

    public IFittedClassifier Fit(TrainerKind trainer, IFeatureTable features, IReadOnlyList<int> rows, IReadOnlyList<int> labels, int classCount, int seed, CancellationToken ct)
    {
        Fits++;
        var data = ((Table)features).Data;
        int d = data[0].Length;
        var sums = new float[classCount][];
        var counts = new int[classCount];
        for (int c = 0; c < classCount; c++) sums[c] = new float[d];
        for (int i = 0; i < rows.Count; i++)
        {
            var x = data[rows[i]];
            for (int j = 0; j < d; j++) sums[labels[i]][j] += x[j];
            counts[labels[i]]++;
        }
        for (int c = 0; c < classCount; c++)
            for (int j = 0; j < d; j++) sums[c][j] = counts[c] == 0 ? float.NaN : sums[c][j] / counts[c];
        return new Centroids(sums);
    }

    public int[] Predict(IFittedClassifier model, IFeatureTable features, IReadOnlyList<int>? rows)
    {
        var m = ((Centroids)model).Means;
        var data = ((Table)features).Data;
        var idx = rows ?? Enumerable.Range(0, data.Length).ToArray();
        return idx.Select(i =>
        {
            int best = 0; double bestD = double.MaxValue;
            for (int c = 0; c < m.Length; c++)
            {
                if (float.IsNaN(m[c][0])) continue;
                double dist = 0;
                for (int j = 0; j < m[c].Length; j++) dist += (data[i][j] - m[c][j]) * (data[i][j] - m[c][j]);
                if (dist < bestD) { bestD = dist; best = c; }
            }
            return best;
        }).ToArray();
    }

    public void SaveModel(string path, CandidateSpec spec, IFeatureTable trainFeatures, IFittedClassifier model, IReadOnlyList<string> classes) =>
        File.WriteAllText(path, spec.Name + "\n" + string.Join(",", classes));
}
