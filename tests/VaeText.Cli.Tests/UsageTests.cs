using NUnit.Framework;
using VaeText.Cli.Tests.Support;

namespace VaeText.Cli.Tests;

/// <summary>Command-line mistakes: exit code 2 and one line naming the option; help lists every command.</summary>
public class UsageTests
{
    [TestCase("--latent must be between 1 and", "train", "--dataset", "x.tsv", "--model", "m.zip", "--latent", "0")]
    [TestCase("--epochs must be between 1 and", "train", "--dataset", "x.tsv", "--model", "m.zip", "--epochs", "-1")]
    [TestCase("--trainer must be one of sdca, fasttree", "train", "--dataset", "x.tsv", "--model", "m.zip", "--trainer", "svm")]
    [TestCase("--featurizer must be one of vae, ngrams, both", "train", "--dataset", "x.tsv", "--model", "m.zip", "--featurizer", "tfidf")]
    [TestCase("--encoder must be one of bow, lstm, transformer (got 'gru')", "train", "--dataset", "x.tsv", "--model", "m.zip", "--encoder", "gru")]
    [TestCase("--seed must be between 0 and", "train", "--dataset", "x.tsv", "--model", "m.zip", "--seed", "-3")]
    [TestCase("--learning-rate must be a positive number", "train", "--dataset", "x.tsv", "--model", "m.zip", "--learning-rate", "0")]
    [TestCase("--divergence-retries must be between 0 and 10", "train", "--dataset", "x.tsv", "--model", "m.zip", "--divergence-retries", "11")]
    [TestCase("abc", "train", "--dataset", "x.tsv", "--model", "m.zip", "--latent", "abc")]
    [TestCase("--dataset", "train", "--model", "m.zip")]
    [TestCase("--model", "evaluate", "--dataset", "x.tsv")]
    [TestCase("--top must be between 1 and", "topics", "--model", "m.zip", "--top", "0")]
    [TestCase("--count must be between 1 and", "sample", "--model", "m.zip", "--count", "0")]
    [TestCase("--temperature must be between 0 and 100", "sample", "--model", "m.zip", "--temperature", "-1")]
    [TestCase("--temperature must be between 0 and 100", "reconstruct", "--model", "m.zip", "--temperature", "1e9")]
    [TestCase("--out", "featurize", "--model", "m.zip", "--dataset", "x.tsv")]
    [TestCase("frobnicate", "frobnicate")]
    [TestCase("no command given", new string[0])]
    public async Task UsageErrorsAreOneLineWithExitCode2(string expected, params string[] args)
    {
        var (code, output, err) = await CliRunner.Run(args);
        Assert.That(code, Is.EqualTo(2), err);
        CliRunner.AssertOneLineError(err, expected);
        Assert.That(output, Is.Empty);
    }

    [Test]
    public async Task SeparatorMustBeOneCharacterOrAName()
    {
        var dir = TestFiles.TempDir();
        try
        {
            var data = Path.Combine(dir, "d.tsv");
            File.WriteAllText(data, "label\ttext\na\tb\n");
            var (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", Path.Combine(dir, "m.zip"), "--separator", "ab");
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "--separator must be tab, comma, semicolon, pipe or one character");
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", Path.Combine(dir, "m.zip"), "--resume");
            Assert.That(code, Is.EqualTo(2));
            CliRunner.AssertOneLineError(err, "--resume needs --checkpoint");
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", Path.Combine(dir, "m.zip"), "--decoder", "lstm");
            Assert.That(code, Is.EqualTo(2));
            CliRunner.AssertOneLineError(err, "--decoder lstm needs a sequence encoder");
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", Path.Combine(dir, "m.zip"), "--featurizer", "ngrams", "--checkpoint", dir);
            Assert.That(code, Is.EqualTo(2));
            CliRunner.AssertOneLineError(err, "--featurizer ngrams trains no VAE");
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", Path.Combine(dir, "m.zip"), "--text-col", "label");
            Assert.That(code, Is.EqualTo(2));
            CliRunner.AssertOneLineError(err, "both name the column 'label'");
            Assert.That(Directory.GetFiles(dir), Is.EqualTo(new[] { data }), "nothing written");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public async Task HelpListsEveryCommandAndTheTrainOptions()
    {
        var (code, output, _) = await CliRunner.Run("--help");
        Assert.That(code, Is.EqualTo(0));
        foreach (var c in new[] { "demo", "train", "evaluate", "predict", "featurize", "topics", "compare", "sample", "reconstruct" })
            Assert.That(output, Does.Contain(c));
        (code, output, _) = await CliRunner.Run("train", "--help");
        Assert.That(code, Is.EqualTo(0));
        foreach (var o in new[] { "--dataset", "--separator", "--label-col", "--text-col", "--model", "--featurizer", "--folds", "--trainer", "--latent", "--epochs",
            "--encoder", "--decoder", "--seed", "--checkpoint", "--checkpoint-every", "--resume", "--divergence-retries", "--learning-rate", "--json" })
            Assert.That(output, Does.Contain(o));
        Assert.That(output, Does.Contain("vae|ngrams|both|auto"));
    }

    [Test]
    public async Task MissingFilesAndFoldersAreOneLineUserErrors()
    {
        var (code, _, err) = await CliRunner.Run("train", "--dataset", "/nonexistent/train.tsv", "--model", Path.Combine(Path.GetTempPath(), "m.zip"));
        Assert.That(code, Is.EqualTo(1));
        CliRunner.AssertOneLineError(err, "file not found: /nonexistent/train.tsv");
        var dir = TestFiles.TempDir();
        try
        {
            var data = Path.Combine(dir, "d.tsv");
            File.WriteAllText(data, "label\ttext\na\tb\n");
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", "/nonexistent-dir/m.zip");
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "folder does not exist");
            (code, _, err) = await CliRunner.Run("train", "--dataset", data, "--model", dir);
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "is a folder, expected a file name");
            (code, _, err) = await CliRunner.Run("train", "--dataset", dir, "--model", Path.Combine(dir, "m.zip"));
            Assert.That(code, Is.EqualTo(1));
            CliRunner.AssertOneLineError(err, "is a folder, expected a file");
            foreach (var command in new[] { "evaluate", "predict", "featurize", "topics", "sample", "reconstruct" })
            {
                string[] args = command switch
                {
                    "evaluate" => [command, "--model", "/nonexistent/m.zip", "--dataset", data],
                    "featurize" => [command, "--model", "/nonexistent/m.zip", "--dataset", data, "--out", Path.Combine(dir, "o.tsv")],
                    "predict" or "reconstruct" => [command, "--model", "/nonexistent/m.zip", "--text", "x"],
                    _ => [command, "--model", "/nonexistent/m.zip"],
                };
                (code, _, err) = await CliRunner.Run(args);
                Assert.That(code, Is.EqualTo(1), command);
                CliRunner.AssertOneLineError(err, "--model: file not found");
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
