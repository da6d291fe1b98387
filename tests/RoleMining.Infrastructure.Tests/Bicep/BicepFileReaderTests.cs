using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>The small Bicep reader the consistency checks rely on.</summary>
public sealed class BicepFileReaderTests
{
    [Fact]
    public void Comments_go_but_comment_like_text_in_strings_stays()
    {
        var code = BicepFile.StripComments("var a = 'http://x' // trailing\n/* block\n */var b = 'a // b /* c */ ${d /* gone */}'\n");

        Assert.Equal("var a = 'http://x' \nvar b = 'a // b /* c */ ${d }'\n", code);
    }

    [Fact]
    public void Top_level_properties_keep_nested_values_whole()
    {
        var file = BicepFile.Parse("""
            resource x 'y' = {
              name: 'appsettings'
              properties: {
                A__b: 'literal'
                Interpolated: 'ClientId=${id};Authorization=AAD'
                Nested: {
                  Inner: '}'
                }
                'quoted-name': [
                  1
                ]
                Call: string(5)
              }
            }
            """);

        var properties = file.PropertiesAfter("name: 'appsettings'");

        Assert.Equal(["A__b", "Interpolated", "Nested", "quoted-name", "Call"], properties.Keys);
        Assert.Equal("'ClientId=${id};Authorization=AAD'", properties["Interpolated"]);
        Assert.Contains("Inner: '}'", properties["Nested"], StringComparison.Ordinal);
        Assert.Equal("string(5)", properties["Call"]);
    }

    [Fact]
    public void Variables_and_parameter_defaults_are_read_as_written()
    {
        var file = BicepFile.Parse("param schedule string = '0 0 2 * * *'\nvar name = 'abc'\nvar list = [\n  'one'\n  'two'\n]\n");

        Assert.Equal("'0 0 2 * * *'", file.ParameterDefault("schedule"));
        Assert.Equal("abc", file.StringVariable("name"));
        Assert.Equal(["one", "two"], file.StringArrayVariable("list"));
        Assert.Null(file.StringVariable("missing"));
    }
}
