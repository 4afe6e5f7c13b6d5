using ScaleLab.Core.Data;
using ScaleLab.Core.Spec;
using ScaleLab.Torch.Data;

namespace ScaleLab.Torch.Tests.Data;

public sealed class TextCorpusTests
{
    [Fact]
    public void FromText_BuildsSortedVocabularyAndShiftedWindows()
    {
        string text = string.Concat(Enumerable.Repeat("abcd", 10)) + "dcba dcba ";
        using var bundle = TextCorpus.FromText(text, "t.txt", new DataRequest(DataSource.Default, SequenceLength: 4, ValidationFraction: 0.25));
        Assert.Equal(" abcd", bundle.Vocabulary);
        Assert.Equal(TaskKind.LanguageModel, bundle.Task);
        Assert.Equal(5, bundle.Classes);
        Assert.True(bundle.InputIsTokens);
        Assert.Equal(Shape.Of(4), bundle.SampleShape);
        // 50 chars: test = last 5 (1 window), train part 45 chars → windows at 0,4,...,40 → 11 windows; 3 for validation.
        Assert.Equal((8, 3, 1), (bundle.Train.Count, bundle.Validation.Count, bundle.Test.Count));
        Assert.Equal(new long[] { 1, 2, 3, 4 }, bundle.Train.Inputs[0].data<long>().ToArray());    // "abcd"
        Assert.Equal(new long[] { 2, 3, 4, 1 }, bundle.Train.Targets[0].data<long>().ToArray());   // "bcda"
        Assert.Equal(new long[] { 3, 2, 1, 0 }, bundle.Test.Targets[0].data<long>().ToArray());    // "cba " of the tail "dcba "
    }

    [Fact]
    public void FromText_TooShortForTheSequenceLength_SaysHowLongItMustBe()
    {
        var ex = Assert.Throws<DataException>(() => TextCorpus.FromText("hello world", "tiny.txt", new DataRequest(DataSource.Default, SequenceLength: 64)));
        Assert.Equal("tiny.txt: has 11 characters: too short for sequence_length 64 (the training part and the last 0.1 test part each need at least 65 characters)", ex.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var ex = Assert.Throws<DataException>(() => DataSources.Load(new DataRequest(new TextSource("/no/such/corpus.txt"))));
        Assert.Equal("/no/such/corpus.txt: file not found", ex.Message);
    }
}
