using System.Buffers.Binary;
using System.IO.Compression;

namespace VaeText.MLNet.Tests.Experiments;

/// <summary>Minimal PNG decoder (8-bit greyscale/RGB/RGBA, non-interlaced) for checking screenshots.</summary>
internal static class PngReader
{
    /// <summary>Decodes to (width, height, channels, pixel bytes row-major).</summary>
    public static (int Width, int Height, int Channels, byte[] Pixels) Decode(byte[] png)
    {
        ReadOnlySpan<byte> sig = new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 };
        if (!png.AsSpan(0, 8).SequenceEqual(sig)) throw new InvalidDataException("Not a PNG file.");
        int pos = 8, width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        while (pos + 8 <= png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, len);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                int depth = data[8], color = data[9], interlace = data[12];
                if (depth != 8 || interlace != 0) throw new NotSupportedException($"PNG depth {depth}, interlace {interlace}.");
                channels = color switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new NotSupportedException($"PNG colour type {color}.") };
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            pos += 12 + len;
        }
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        int stride = width * channels;
        var pixels = new byte[height * stride];
        var prev = new byte[stride];
        for (int y = 0; y < height; y++)
        {
            int filter = bytes[y * (stride + 1)];
            var line = bytes.AsSpan(y * (stride + 1) + 1, stride);
            var cur = pixels.AsSpan(y * stride, stride);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? cur[x - channels] : 0, b = prev[x], c = x >= channels ? prev[x - channels] : 0;
                int v = filter switch
                {
                    0 => line[x],
                    1 => line[x] + a,
                    2 => line[x] + b,
                    3 => line[x] + (a + b) / 2,
                    4 => line[x] + Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG filter {filter}."),
                };
                cur[x] = (byte)v;
            }
            cur.CopyTo(prev);
        }
        return (width, height, channels, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
