using NUnit.Framework;

namespace VaeText.Cli.Tests.Support;

/// <summary>A fresh temporary folder with the three-topic train/test corpus for every test, deleted afterwards.</summary>
public abstract class ThreeTopicCorpusFixture
{
    protected string _dir = null!;
    protected string _train = null!, _test = null!;

    [SetUp]
    public void Corpus()
    {
        _dir = TestFiles.TempDir();
        (_train, _test) = TestFiles.ThreeTopicCorpus(_dir);
    }

    [TearDown]
    public void Cleanup()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
