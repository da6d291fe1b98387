namespace RoleMining.Exports.Tests.Jobs;

public class ExportJobIdsTests
{
    [Theory]
    [InlineData("2c9180835d2e5168015d32f890ca1581")]
    [InlineData("8c190e67-87aa-4ed9-a90b-d9d5344523fb")]
    [InlineData("a.b_c-d")]
    public void Ids_that_are_one_plain_path_segment_are_safe(string id) => Assert.True(ExportJobIds.IsSafeSegment(id));

    [Theory]
    [InlineData("")]
    [InlineData("abc\n")]
    [InlineData("../abc")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    public void Ids_that_could_change_a_path_or_a_line_are_rejected(string id) => Assert.False(ExportJobIds.IsSafeSegment(id));

    [Fact]
    public void An_id_longer_than_128_characters_is_rejected() => Assert.False(ExportJobIds.IsSafeSegment(new string('a', 129)));
}
