using System.Globalization;
using System.Text;

namespace VaeText.Text;

/// <summary>
/// Unicode normalization forms NFC, NFD, NFKC and NFKD from VaeText's own data (see
/// <see cref="UnicodeNormalizationData"/>), so they work in globalization-invariant mode too.
/// </summary>
internal static class UnicodeNormalization
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private sealed class Tables
    {
        public readonly Dictionary<int, int[]> Canonical = new();
        public readonly Dictionary<int, int[]> Compatibility = new();
        public readonly Dictionary<int, byte> Ccc = new();
        public readonly Dictionary<long, int> Compose = new();
    }

    private static readonly Lazy<Tables> Data = new(Load);

    private static Tables Load()
    {
        var t = new Tables();
        foreach (var entry in UnicodeNormalizationData.Decompositions.Split(';'))
        {
            int eq = entry.IndexOf('=');
            bool compat = entry[eq - 1] == '!';
            int cp = int.Parse(entry.AsSpan(0, compat ? eq - 1 : eq), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var parts = entry[(eq + 1)..].Split(' ');
            var map = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++) map[i] = int.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (compat) t.Compatibility[cp] = map;
            else t.Canonical[cp] = map;
        }
        foreach (var entry in UnicodeNormalizationData.CombiningClasses.Split(';'))
        {
            int dash = entry.IndexOf('-'), eq = entry.IndexOf('=');
            int a = int.Parse(entry.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int b = int.Parse(entry.AsSpan(dash + 1, eq - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            byte c = byte.Parse(entry.AsSpan(eq + 1), CultureInfo.InvariantCulture);
            for (int cp = a; cp <= b; cp++) t.Ccc[cp] = c;
        }
        foreach (var entry in UnicodeNormalizationData.Compositions.Split(';'))
        {
            int sp = entry.IndexOf(' '), eq = entry.IndexOf('=');
            int a = int.Parse(entry.AsSpan(0, sp), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int b = int.Parse(entry.AsSpan(sp + 1, eq - sp - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            int c = int.Parse(entry.AsSpan(eq + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            t.Compose[((long)a << 21) | (uint)b] = c;
        }
        return t;
    }

    /// <summary>Normalizes: NFD (false, false), NFC (false, true), NFKD (true, false) or NFKC (true, true).</summary>
    public static string Normalize(string text, bool compatibility, bool compose)
    {
        // Fast path: ASCII is invariant under every form.
        if (System.Text.Ascii.IsValid(text)) return text;
        var t = Data.Value;
        var cps = new List<int>(text.Length + 8);
        foreach (Rune r in text.EnumerateRunes()) Decompose(r.Value, compatibility, t, cps);
        // Canonical ordering: stable sort of each run of non-starters by combining class.
        for (int i = 1; i < cps.Count; i++)
        {
            int c = Ccc(cps[i], t);
            if (c == 0) continue;
            int j = i;
            while (j > 0 && Ccc(cps[j - 1], t) > c)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
                j--;
            }
        }
        if (compose) ComposeInPlace(cps, t);
        var sb = new StringBuilder(cps.Count);
        foreach (int cp in cps) sb.Append(new Rune(cp).ToString());
        return sb.ToString();
    }

    private static int Ccc(int cp, Tables t) => cp < 0x300 ? 0 : t.Ccc.TryGetValue(cp, out byte c) ? c : 0;

    private static void Decompose(int cp, bool compatibility, Tables t, List<int> output)
    {
        if (cp < 0xA0) { output.Add(cp); return; }
        int s = cp - SBase;
        if (s >= 0 && s < SCount)
        {
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0) output.Add(TBase + s % TCount);
            return;
        }
        if (t.Canonical.TryGetValue(cp, out var map) || (compatibility && t.Compatibility.TryGetValue(cp, out map)))
        {
            foreach (int m in map) Decompose(m, compatibility, t, output);
            return;
        }
        output.Add(cp);
    }

    private static void ComposeInPlace(List<int> cps, Tables t)
    {
        int starter = -1;  // output index of the last starter
        int lastClass = 0; // combining class of the last character written after that starter
        int write = 0;
        for (int read = 0; read < cps.Count; read++)
        {
            int cp = cps[read];
            int cc = Ccc(cp, t);
            if (starter >= 0)
            {
                // cp is blocked from the starter when a character between them has class 0 or >= cc.
                bool unblocked = write == starter + 1 || (lastClass != 0 && lastClass < cc);
                if (unblocked)
                {
                    int composed = ComposePair(cps[starter], cp, t);
                    if (composed >= 0)
                    {
                        cps[starter] = composed;
                        continue;
                    }
                }
            }
            if (cc == 0)
            {
                starter = write;
                lastClass = 0;
            }
            else
            {
                lastClass = cc;
            }
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static int ComposePair(int a, int b, Tables t)
    {
        int l = a - LBase;
        if (l >= 0 && l < LCount)
        {
            int v = b - VBase;
            if (v >= 0 && v < VCount) return SBase + (l * VCount + v) * TCount;
            return -1;
        }
        int s = a - SBase;
        if (s >= 0 && s < SCount && s % TCount == 0)
        {
            int tt = b - TBase;
            if (tt > 0 && tt < TCount) return a + tt;
            return -1;
        }
        return t.Compose.TryGetValue(((long)a << 21) | (uint)b, out int c) ? c : -1;
    }
}
