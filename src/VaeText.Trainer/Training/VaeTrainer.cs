using System.Diagnostics;
using VaeText.Core;
using VaeText.Models;
using VaeText.Nn;
using VaeText.Optim;
using VaeText.Tensors;

namespace VaeText.Training;

/// <summary>
/// Trains a VAE with Adam on mini-batches: a seeded shuffle each epoch, KL annealing, optional free bits and
/// gradient clipping, a validation ELBO each epoch with early stopping that restores the best parameters,
/// progress per epoch and per batch, and cancellation between batches. Same seed and thread count give
/// bit-identical parameters.
/// </summary>
public sealed class VaeTrainer
{
    private readonly VaeTrainingOptions _options;

    /// <summary>Creates a trainer (the options are validated and copied).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public VaeTrainer(VaeTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>The settings (a copy).</summary>
    public VaeTrainingOptions Options => _options.Clone();

    /// <summary>Trains <paramref name="model"/> in place on the rows of <paramref name="documents"/>.</summary>
    /// <param name="model">The model (its parameters are updated).</param>
    /// <param name="documents">Bag-of-words counts, one row per document, <c>VocabularySize</c> columns.</param>
    /// <param name="progress">Receives one report per epoch (optional).</param>
    /// <param name="onBatch">Called after every optimisation step (optional).</param>
    /// <param name="cancellationToken">Checked between batches; the model then holds the parameters of the last completed step.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite (message names epoch and batch).</exception>
    /// <exception cref="FileNotFoundException"><see cref="VaeTrainingOptions.Resume"/> is set but the folder holds no checkpoint.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is corrupt, truncated, or belongs to a different run.</exception>
    public VaeTrainingResult Train(BowVae model, CsrMatrix documents, IProgress<VaeEpochReport>? progress = null,
        Action<VaeBatchReport>? onBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(documents);
        if (documents.Columns != model.VocabularySize)
            throw new ArgumentException($"documents have {documents.Columns} columns but the model's vocabulary has {model.VocabularySize} words", nameof(documents));
        if (documents.Rows == 0) throw new ArgumentException("documents has no rows: nothing to train on", nameof(documents));
        return TrainCore(model.Network, documents, rows => new CsrBatch(documents, rows), progress, onBatch, cancellationToken);
    }

    /// <summary>
    /// The loop, generic in the encoder's input: <paramref name="inputForRows"/> builds an encoder batch from
    /// document indices (bag-of-words rows here; token sequences for sequence encoders). The reconstruction
    /// targets are always rows of <paramref name="targets"/>.
    /// </summary>
    internal VaeTrainingResult TrainCore<TInput>(VaeNetwork<float, TInput> net, CsrMatrix targets, Func<ReadOnlyMemory<int>, TInput> inputForRows,
        IProgress<VaeEpochReport>? progress, Action<VaeBatchReport>? onBatch, CancellationToken ct)
    {
        var o = _options;
        int threads = Parallelism.Resolve(o.MaxThreads);
        var master = new Rng(o.Seed);
        var splitRng = master.Fork();
        var shuffleRng = master.Fork();
        var noiseRng = master.Fork();

        // Seeded validation split.
        int n = targets.Rows;
        var all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        int nValid = o.ValidationFraction > 0 ? (int)Math.Floor(n * o.ValidationFraction) : 0;
        if (nValid > 0)
        {
            splitRng.Shuffle(all.AsSpan());
            if (n - nValid < 1) nValid = n - 1;
        }
        int[] train = all.AsSpan(0, n - nValid).ToArray();
        int[] valid = all.AsSpan(n - nValid).ToArray();
        if (nValid > 0) { Array.Sort(train); Array.Sort(valid); }

        int batchSize = Math.Min(o.BatchSize, train.Length);
        var ws = net.CreateWorkspace(batchSize, training: true);
        var adam = new Adam(net.Store, o.LearningRate, o.Beta1, o.Beta2, o.AdamEpsilon, o.WeightDecay);
        net.Store.ZeroGrad();

        var reports = new List<VaeEpochReport>();
        double bestElbo = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        float[]? best = null;
        bool early = false, stopped = false;
        long step = 0;
        bool useEarly = o.EarlyStoppingPatience > 0 && nValid > 0;
        var order = (int[])train.Clone();

        // Checkpoints: the fingerprint covers settings, thread count, data and the initial parameters (architecture + seed).
        string? ckDir = o.CheckpointDirectory;
        ulong fingerprint = 0;
        string description = "";
        if (ckDir is not null) (fingerprint, description) = Fingerprint(net, targets, threads, nValid);
        int startEpoch = 1, retriesUsed = 0;
        TrainingCheckpoint? pending = null;   // a mid-epoch state to continue from (resume or rollback)

        void Restore(TrainingCheckpoint ck)
        {
            Array.Copy(ck.Parameters, net.Store.Values, ck.Parameters.Length);
            net.Store.ZeroGrad();
            adam.ImportState(ck.Adam);
            adam.LearningRate = ck.LearningRate;
            shuffleRng.SetState(ck.ShuffleRng);
            noiseRng.SetState(ck.NoiseRng);
            step = ck.Step;
            bestElbo = ck.BestElbo; bestEpoch = ck.BestEpoch; sinceBest = ck.SinceBest;
            best = ck.Best is null ? null : (float[])ck.Best.Clone();
            reports.Clear();
            reports.AddRange(ck.Reports);
            stopped = ck.StoppedEarly;
            early = stopped && ck.Epoch - 1 < o.Epochs;
            retriesUsed = ck.DivergenceRetriesUsed;
            pending = ck.Order is null ? null : ck;
        }

        if (o.Resume)
        {
            var ck = TrainingCheckpoint.Load(ckDir!);
            string path = TrainingCheckpoint.PathIn(ckDir!);
            if (ck.Fingerprint != fingerprint)
                throw new InvalidDataException($"cannot resume from '{path}': it belongs to a different training run (settings, data, model or thread count differ). Checkpoint: {ck.Description}. This run: {description}.");
            int batchesInEpoch = (train.Length + batchSize - 1) / batchSize;
            if (ck.Epoch > o.Epochs + 1)
                throw new InvalidDataException($"cannot resume from '{path}': it has trained {ck.Epoch - 1} epochs, more than this run's {o.Epochs}; resume with at least {ck.Epoch - 1} epochs");
            if (ck.Parameters.Length != net.Store.Count || ck.Step != ck.Adam.StepCount
                || (ck.Order is not null && !IsPermutationOf(ck.Order, train)) || ck.Reports.Count != ck.Epoch - 1 || ck.NextBatch > batchesInEpoch)
                throw new InvalidDataException($"cannot resume from '{path}': the checkpoint is inconsistent with this run (epoch {ck.Epoch}, batch {ck.NextBatch}, step {ck.Step}, {ck.Parameters.Length} parameters)");
            Restore(ck);
            startEpoch = ck.Epoch;
        }

        TrainingCheckpoint Snapshot(int epoch, int nextBatch, int[]? ord, double sr, double sk, double st, double b, int d, bool deep = false) => new()
        {
            Fingerprint = fingerprint, Description = description, Epoch = epoch, NextBatch = nextBatch, Step = step, StoppedEarly = stopped,
            Order = ord is null ? null : (int[])ord.Clone(), SumRecon = sr, SumKl = sk, SumTokens = st, Beta = b, Documents = d,
            ShuffleRng = shuffleRng.GetState(), NoiseRng = noiseRng.GetState(), BestElbo = bestElbo, BestEpoch = bestEpoch, SinceBest = sinceBest,
            Best = deep && best is not null ? (float[])best.Clone() : best, LearningRate = adam.LearningRate, Adam = adam.ExportState(),
            Parameters = deep ? (float[])net.Store.Values.Clone() : net.Store.Values, Reports = deep ? reports.ToList() : reports,
            DivergenceRetriesUsed = retriesUsed,
        };

        for (int epoch = startEpoch; epoch <= o.Epochs && !stopped; epoch++)
        {
            // With divergence recovery, remember where this epoch starts (an in-memory checkpoint) to roll back to.
            var rollback = o.DivergenceRetries > 0 ? pending ?? Snapshot(epoch, 0, null, 0, 0, 0, 0, 0, deep: true) : null;
            var sw = Stopwatch.StartNew();
            double sRecon = 0, sKl = 0, sTok = 0, beta = 0;
            int docs = 0, firstBatch = 0;
            if (pending is not null)
            {
                Array.Copy(pending.Order!, order, order.Length);
                sRecon = pending.SumRecon; sKl = pending.SumKl; sTok = pending.SumTokens; beta = pending.Beta; docs = pending.Documents;
                firstBatch = pending.NextBatch;
                pending = null;
            }
            else
            {
                Array.Copy(train, order, train.Length);
                shuffleRng.Shuffle(order.AsSpan());
            }
            int batches = (order.Length + batchSize - 1) / batchSize;
            bool restart = false;
            for (int bi = firstBatch; bi < batches; bi++)
            {
                if (ct.IsCancellationRequested)
                {
                    if (ckDir is not null) Snapshot(epoch, bi, order, sRecon, sKl, sTok, beta, docs).Save(ckDir);
                    ct.ThrowIfCancellationRequested();
                }
                int s = bi * batchSize, cnt = Math.Min(batchSize, order.Length - s);
                var rows = order.AsMemory(s, cnt);
                beta = KlSchedule.Beta(o.Annealing, step, o.AnnealingSteps);
                var loss = net.TrainBatch(inputForRows(rows), new CsrBatch(targets, rows), ws, beta, o.FreeBits, noiseRng, threads);
                string? diverged = null;
                if (!double.IsFinite(loss.Loss))
                    diverged = $"the loss is {loss.Loss} at epoch {epoch}, batch {bi} (step {step + 1}); reconstruction {loss.SumRecon / cnt}, KL {loss.SumKl / cnt}";
                else if (o.GradientClipNorm > 0 || o.DivergenceRetries > 0)
                {
                    double norm = o.GradientClipNorm > 0 ? GradientClipping.ClipByGlobalNorm(net.Store, o.GradientClipNorm) : Math.Sqrt(VectorOps.SumOfSquares<float>(net.Store.Grads));
                    if (!double.IsFinite(norm)) diverged = $"the gradient norm is {norm} at epoch {epoch}, batch {bi} (step {step + 1})";
                }
                if (diverged is not null)
                {
                    net.Store.ZeroGrad();
                    if (retriesUsed >= o.DivergenceRetries)
                        throw new InvalidOperationException(o.DivergenceRetries == 0
                            ? $"Training diverged: {diverged}. Try a lower LearningRate, set GradientClipNorm, or allow DivergenceRetries."
                            : $"Training diverged: {diverged}, after {retriesUsed} learning-rate reductions (now {adam.LearningRate}).");
                    // Roll back to the start of the epoch and retry it with a lower learning rate.
                    // (Restore also restores the count a checkpoint held: keep the one that counts this retry.)
                    int used = retriesUsed + 1;
                    double lowered = adam.LearningRate * o.DivergenceLearningRateFactor;
                    Restore(rollback!);
                    retriesUsed = used;
                    adam.LearningRate = lowered;
                    restart = true;
                    break;
                }
                adam.Step(zeroGradients: true, maxThreads: threads);
                step++;
                sRecon += loss.SumRecon; sKl += loss.SumKl; sTok += loss.Tokens; docs += cnt;
                onBatch?.Invoke(new VaeBatchReport(epoch, bi, step, cnt, loss.SumRecon / cnt, loss.SumKl / cnt, beta, loss.Loss));
                if (ckDir is not null && o.CheckpointEveryBatches > 0 && step % o.CheckpointEveryBatches == 0)
                    Snapshot(epoch, bi + 1, order, sRecon, sKl, sTok, beta, docs).Save(ckDir);
            }
            if (restart) { epoch--; continue; }
            double seconds = sw.Elapsed.TotalSeconds;

            double? vRecon = null, vKl = null, vElbo = null, vPpl = null;
            if (nValid > 0)
            {
                var (r, k, tok) = Evaluate(net, targets, valid, inputForRows, threads);
                vRecon = r / nValid; vKl = k / nValid; vElbo = -(r + k) / nValid; vPpl = tok > 0 ? Math.Exp(r / tok) : double.NaN;
            }
            var report = new VaeEpochReport(epoch, step, docs, sRecon / docs, sKl / docs, -(sRecon + sKl) / docs,
                sTok > 0 ? Math.Exp(sRecon / sTok) : double.NaN, beta, seconds, vRecon, vKl, vElbo, vPpl)
            {
                ActiveUnits = o.TrackActiveUnits ? ActiveUnits(net, train, inputForRows, o.ActiveUnitThreshold) : null,
            };
            reports.Add(report);
            progress?.Report(report);

            if (useEarly)
            {
                if (vElbo!.Value > bestElbo)
                {
                    bestElbo = vElbo.Value; bestEpoch = epoch; sinceBest = 0;
                    best ??= new float[net.Store.Count];
                    Array.Copy(net.Store.Values, best, best.Length);
                }
                else if (++sinceBest >= o.EarlyStoppingPatience)
                {
                    early = epoch < o.Epochs;
                    stopped = true;
                }
            }
            else
            {
                bestEpoch = epoch;
            }
            if (ckDir is not null && (!o.CheckpointLastEpochOnly || epoch >= o.Epochs || stopped)) Snapshot(epoch + 1, 0, null, 0, 0, 0, 0, 0).Save(ckDir);
        }
        if (useEarly && best != null && bestEpoch != reports[^1].Epoch) Array.Copy(best, net.Store.Values, best.Length);
        return new VaeTrainingResult(reports, bestEpoch, early, step);
    }

    private static bool IsPermutationOf(int[] order, int[] sortedTrain)
    {
        if (order.Length != sortedTrain.Length) return false;
        var sorted = (int[])order.Clone();
        Array.Sort(sorted);
        return sorted.AsSpan().SequenceEqual(sortedTrain);
    }

    private (ulong Fingerprint, string Description) Fingerprint<TInput>(VaeNetwork<float, TInput> net, CsrMatrix targets, int threads, int nValid)
    {
        var o = _options;
        var h = new FingerprintHasher();
        // Scheme 2: the number of epochs is not part of the run's identity (it only says where the run stops; the
        // learning rate and KL weight depend on the step, not on the total), so a finished run's checkpoint can be
        // continued with a larger Epochs: N epochs, then resumed to M, equals M epochs from scratch bit for bit.
        h.Add(2); // fingerprint scheme version
        h.Add(o.BatchSize); h.Add(o.LearningRate); h.Add(o.Beta1); h.Add(o.Beta2); h.Add(o.AdamEpsilon); h.Add(o.WeightDecay);
        h.Add((int)o.Annealing); h.Add(o.AnnealingSteps); h.Add(o.FreeBits); h.Add(o.ValidationFraction); h.Add(o.EarlyStoppingPatience);
        h.Add(o.GradientClipNorm); h.Add(o.Seed); h.Add(threads); h.Add(nValid);
        h.Add(o.DivergenceRetries); h.Add(o.DivergenceLearningRateFactor);
        h.Add(targets.Rows); h.Add(targets.Columns);
        h.Add(targets.RowPtr.AsSpan(0, targets.Rows + 1));
        h.Add(targets.Indices.AsSpan(0, targets.NonZeros));
        h.Add(targets.Values.AsSpan(0, targets.NonZeros));
        ulong dataHash = h.Value;
        h.Add(net.LatentSize); h.Add(net.VocabularySize);
        h.Add(net.Store.Values.AsSpan());
        var d = string.Format(System.Globalization.CultureInfo.InvariantCulture,
            "{0} documents × {1} words (data hash {2:x16}), {3} parameters, latent {4}, seed {5}, epochs {6}, batch {7}, learning rate {8}, {9} threads",
            targets.Rows, targets.Columns, dataHash, net.Store.Count, net.LatentSize, o.Seed, o.Epochs, o.BatchSize, o.LearningRate, threads);
        return (h.Value, d);
    }

    /// <summary>Active latent units over the given documents (variance of the posterior mean &gt; threshold).</summary>
    internal static int ActiveUnits<TInput>(VaeNetwork<float, TInput> net, int[] rows, Func<ReadOnlyMemory<int>, TInput> inputForRows, double threshold)
    {
        const int chunk = 256;
        int l = net.LatentSize;
        int cap = Math.Min(chunk, rows.Length);
        var ws = net.CreateWorkspace(cap, training: false);
        var means = new float[(long)rows.Length * l];
        var lv = new float[cap * l];
        for (int s = 0; s < rows.Length; s += chunk)
        {
            int cnt = Math.Min(chunk, rows.Length - s);
            net.Encode(inputForRows(rows.AsMemory(s, cnt)), means.AsSpan(s * l, cnt * l), lv.AsSpan(0, cnt * l), ws);
        }
        return Models.SeqVaeTraining.ActiveUnits(means, rows.Length, l, threshold);
    }

    /// <summary>Σ reconstruction at z = μ, Σ KL and Σ tokens over the given documents.</summary>
    internal static (double Recon, double Kl, double Tokens) Evaluate<TInput>(VaeNetwork<float, TInput> net, CsrMatrix targets, int[] rows,
        Func<ReadOnlyMemory<int>, TInput> inputForRows, int threads)
    {
        const int chunk = 1024;
        int l = net.LatentSize;
        int cap = Math.Min(chunk, rows.Length);
        var ws = net.CreateWorkspace(cap, training: false);
        var mean = new float[cap * l];
        var lv = new float[cap * l];
        var recon = new double[cap];
        var kl = new double[cap];
        double r = 0, k = 0, tok = 0;
        for (int s = 0; s < rows.Length; s += chunk)
        {
            int cnt = Math.Min(chunk, rows.Length - s);
            var mem = rows.AsMemory(s, cnt);
            var input = inputForRows(mem);
            net.Encode(input, mean.AsSpan(0, cnt * l), lv.AsSpan(0, cnt * l), ws);
            tok += net.Evaluate(input, new CsrBatch(targets, mem), mean.AsSpan(0, cnt * l), lv.AsSpan(0, cnt * l), ws, recon.AsSpan(0, cnt), kl.AsSpan(0, cnt));
            for (int i = 0; i < cnt; i++) { r += recon[i]; k += kl[i]; }
        }
        _ = threads;
        return (r, k, tok);
    }
}
