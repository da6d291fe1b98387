using RoleMining.Api.Validation;

namespace RoleMining.Api.Tests.Validation;

public sealed class ApiIdsTests
{
    [Theory]
    [InlineData("8c190e67-87aa-4ed9-a90b-d9d5344523fb", true)]
    [InlineData("8C190E67-87AA-4ED9-A90B-D9D5344523FB", true)]
    [InlineData("2c9180835d2e5168015d32f890ca1581", true)]
    [InlineData("8c190e6787aa4ed9a90bd9d5344523fb", true)]
    [InlineData("8c190e67-87aa-4ed9-a90b-d9d5344523f", false)]
    [InlineData("8c190e67_87aa_4ed9_a90b_d9d5344523fb", false)]
    [InlineData("2c9180835d2e5168015d32f890ca158", false)]
    [InlineData("2c9180835d2e5168015d32f890ca1581\n", false)]
    [InlineData("../2c9180835d2e5168015d32f890ca15", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void SailPoint_ids_are_uuids_or_32_hex(string? id, bool valid) => Assert.Equal(valid, ApiIds.IsSailPointId(id));

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", true)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF", true)]
    [InlineData("01234567-89ab-cdef-0123-456789abcdef", false)]
    [InlineData("0123456789abcdef0123456789abcdeg", false)]
    public void Job_ids_are_32_hex(string id, bool valid) => Assert.Equal(valid, ApiIds.IsJobId(id));

    [Theory]
    [InlineData("export.zip", true)]
    [InlineData("identities.csv", true)]
    [InlineData("manifest.json", true)]
    [InlineData(".staging", false)]
    [InlineData("..", false)]
    [InlineData("a/b.csv", false)]
    [InlineData("a\\b.csv", false)]
    [InlineData("export.zip\n", false)]
    [InlineData("", false)]
    public void File_names_are_plain(string name, bool valid) => Assert.Equal(valid, ApiIds.IsFileName(name));
}
