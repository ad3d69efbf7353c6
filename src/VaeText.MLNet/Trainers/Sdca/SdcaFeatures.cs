using VaeText.Tensors;

namespace VaeText.Trainers.Sdca;

/// <summary>Row access for the linear trainers: dot products, scaled additions and squared norms over dense or CSR rows.</summary>
internal abstract class SdcaFeatures
{
    public abstract int Rows { get; }
    public abstract int Columns { get; }
    /// <summary>x_row · w[offset .. offset + Columns).</summary>
    public abstract double Dot(int row, float[] w, int offset);
    /// <summary>v[offset + j] += scale · x_row[j].</summary>
    public abstract void AddScaled(int row, double scale, float[] v, int offset);
    /// <summary>Calls <paramref name="touch"/> for every column index stored in the row (for L1 re-thresholding).</summary>
    public abstract void ForEachIndex(int row, Action<int> touch);
    public abstract double SquaredNorm(int row);

    public static SdcaFeatures Of(CsrMatrix x) => new Sparse(x);
    public static SdcaFeatures Of(float[] x, int rows, int cols) => new Dense(x, rows, cols);

    private sealed class Sparse(CsrMatrix x) : SdcaFeatures
    {
        public override int Rows => x.Rows;
        public override int Columns => x.Columns;
        public override double Dot(int row, float[] w, int offset)
        {
            double s = 0;
            var idx = x.Indices; var val = x.Values;
            for (int p = x.RowPtr[row], e = x.RowPtr[row + 1]; p < e; p++) s += val[p] * w[offset + idx[p]];
            return s;
        }
        public override void AddScaled(int row, double scale, float[] v, int offset)
        {
            float a = (float)scale;
            var idx = x.Indices; var val = x.Values;
            for (int p = x.RowPtr[row], e = x.RowPtr[row + 1]; p < e; p++) v[offset + idx[p]] += a * val[p];
        }
        public override void ForEachIndex(int row, Action<int> touch)
        {
            for (int p = x.RowPtr[row], e = x.RowPtr[row + 1]; p < e; p++) touch(x.Indices[p]);
        }
        public override double SquaredNorm(int row)
        {
            double s = 0;
            for (int p = x.RowPtr[row], e = x.RowPtr[row + 1]; p < e; p++) s += (double)x.Values[p] * x.Values[p];
            return s;
        }
    }

    private sealed class Dense(float[] x, int rows, int cols) : SdcaFeatures
    {
        public override int Rows => rows;
        public override int Columns => cols;
        public override double Dot(int row, float[] w, int offset)
        {
            var a = x.AsSpan(row * cols, cols); var b = w.AsSpan(offset, cols);
            double s = 0;
            for (int j = 0; j < cols; j++) s += a[j] * b[j];
            return s;
        }
        public override void AddScaled(int row, double scale, float[] v, int offset)
        {
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x.AsSpan(row * cols, cols), (float)scale, v.AsSpan(offset, cols), v.AsSpan(offset, cols));
        }
        public override void ForEachIndex(int row, Action<int> touch) { for (int j = 0; j < cols; j++) touch(j); }
        public override double SquaredNorm(int row)
        {
            double s = 0;
            foreach (var v in x.AsSpan(row * cols, cols)) s += (double)v * v;
            return s;
        }
    }
}
