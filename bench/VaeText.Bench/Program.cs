namespace VaeText.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: VaeText.Bench <bow-vae|gbdt|sdca|seq-vae|gemm> [options]");
        return 2;
    }
}
