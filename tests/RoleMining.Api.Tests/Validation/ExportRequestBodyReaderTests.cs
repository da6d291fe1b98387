using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Api.Exports;
using RoleMining.Exports;

namespace RoleMining.Api.Tests.Validation;

public sealed class ExportRequestBodyReaderTests
{
    [Theory]
    [InlineData("", null, null)]
    [InlineData("  \r\n ", null, null)]
    [InlineData("{}", null, null)]
    [InlineData("{\"minEntitlementPopularity\":null,\"includeCommonAccess\":null}", null, null)]
    [InlineData("{\"minEntitlementPopularity\":0,\"includeCommonAccess\":true}", 0, true)]
    [InlineData("{\"includeCommonAccess\":false,\"minEntitlementPopularity\":100}", 100, false)]
    [InlineData("{\"minEntitlementPopularity\":5e1}", 50, null)]
    [InlineData("{\"minEntitlementPopularity\":50.0}", 50, null)]
    public async Task Valid_bodies_become_export_options(string body, int? popularity, bool? commonAccess)
    {
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(Request(body, "application/json; charset=utf-8"), CancellationToken.None);
        Assert.Null(problem);
        Assert.Equal(new ExportRequestOptions { MinEntitlementPopularity = popularity, IncludeCommonAccess = commonAccess }, options);
    }

    [Theory]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task A_body_declared_in_a_charset_other_than_UTF_8_is_415(string contentType)
    {
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(Request("{}", contentType), CancellationToken.None);
        Assert.Null(options);
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, Assert.IsAssignableFrom<IStatusCodeHttpResult>(problem).StatusCode);
    }

    [Theory]
    [InlineData("{\"minEntitlementPopularity\":3}", "application/json; charset=\"utf-8\"")]
    [InlineData("{\"minEntitlementPopularity\":3}", "application/json; charset=UTF8")]
    [InlineData("{\"minEntitlementPopularity\":3}", "application/json; charset=us-ascii")]
    [InlineData("\uFEFF{\"minEntitlementPopularity\":3}", "application/json")] // Windows PowerShell 5.1's Out-File -Encoding utf8
    public async Task A_UTF_8_or_ASCII_body_is_read_whatever_the_spelling_of_its_charset_and_with_a_byte_order_mark(string body, string contentType)
    {
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(Request(body, contentType), CancellationToken.None);
        Assert.Null(problem);
        Assert.Equal(3, options!.MinEntitlementPopularity);
    }

    [Theory]
    [InlineData("1e-30")]
    [InlineData("0.0000000000000000000000000000001")]
    [InlineData("50.0000000000000001")]
    [InlineData("100.000000000000001")]
    public async Task A_popularity_with_a_fraction_tiny_or_far_down_its_digits_is_refused(string number)
    {
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(Request($"{{\"minEntitlementPopularity\":{number}}}", "application/json"), CancellationToken.None);
        Assert.Null(options);
        Assert.True(Assert.IsType<ValidationProblem>(problem).ProblemDetails.Errors.ContainsKey("minEntitlementPopularity"));
    }

    [Fact]
    public async Task A_json_suffix_media_type_is_json()
    {
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(Request("{}", "application/vnd.rolemining+json"), CancellationToken.None);
        Assert.Null(problem);
        Assert.NotNull(options);
    }

    [Fact]
    public async Task An_oversized_body_without_content_length_is_refused_after_64_KB()
    {
        var body = "{\"minEntitlementPopularity\":1" + new string(' ', ExportRequestBodyReader.MaxBodyBytes) + "}";
        var request = Request(body, "application/json");
        request.ContentLength = null;
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(request, CancellationToken.None);
        Assert.Null(options);
        Assert.True(Assert.IsType<ValidationProblem>(problem).ProblemDetails.Errors.ContainsKey("body"));
    }

    [Fact]
    public async Task A_body_exactly_64_KB_is_read()
    {
        var prefix = "{\"minEntitlementPopularity\":7";
        var body = prefix + new string(' ', ExportRequestBodyReader.MaxBodyBytes - prefix.Length - 1) + "}";
        Assert.Equal(ExportRequestBodyReader.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(Request(body, "application/json"), CancellationToken.None);
        Assert.Null(problem);
        Assert.Equal(7, options!.MinEntitlementPopularity);
    }

    [Fact]
    public async Task Every_bad_property_is_named()
    {
        var (_, problem) = await ExportRequestBodyReader.ReadAsync(Request("{\"minEntitlementPopularity\":true,\"includeCommonAccess\":0,\"extra\":1}", "application/json"), CancellationToken.None);
        var details = Assert.IsType<ValidationProblem>(problem).ProblemDetails;
        Assert.Equal(["extra", "includeCommonAccess", "minEntitlementPopularity"], details.Errors.Keys.Order());
        Assert.Equal(400, details.Status);
    }

    [Theory]
    [InlineData("{\"\\ud800\":1}", "body")] // an unpaired high surrogate as a property name
    [InlineData("{\"\\udc00x\":true}", "body")] // an unpaired low surrogate
    [InlineData("{\"callback\":\"\\ud800\"}", "callback")]
    [InlineData("{\"includeCommonAccess\":true,\"x\":[\"\\udfff\"]}", "body")] // nested: no top-level field to name
    [InlineData("{\"callback\":\"\\udc00\\ud800\"}", "callback")] // a pair in the wrong order
    public async Task A_string_with_an_unpaired_surrogate_escape_is_a_problem_naming_the_field(string body, string field)
    {
        var (options, callback, problem) = await ExportRequestBodyReader.ReadAsync(Request(body, "application/json"), ["nightly"], CancellationToken.None);
        Assert.Null(options);
        Assert.Null(callback);
        var errors = Assert.IsType<ValidationProblem>(problem).ProblemDetails.Errors;
        Assert.Contains("surrogate", Assert.Single(errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_UTF_8_in_a_string_are_a_problem_not_an_exception()
    {
        byte[] name = [.. "{\""u8, 0xC3, .. "\":1}"u8];
        byte[] value = [.. "{\"callback\":\""u8, 0xFF, .. "\"}"u8];
        foreach (var (bytes, field) in new[] { (name, "body"), (value, "callback") })
        {
            var (options, _, problem) = await ExportRequestBodyReader.ReadAsync(Request(bytes, "application/json"), ["nightly"], CancellationToken.None);
            Assert.Null(options);
            Assert.Contains("not UTF-8", Assert.Single(Assert.IsType<ValidationProblem>(problem).ProblemDetails.Errors[field]), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_surrogate_pair_escaped_is_read_as_the_character_it_spells()
    {
        // U+1F600 written as its escaped pair: valid JSON text, so a callback name that is not configured is the problem.
        var (_, _, problem) = await ExportRequestBodyReader.ReadAsync(Request("{\"callback\":\"\\ud83d\\ude00\"}", "application/json"), ["nightly"], CancellationToken.None);
        Assert.Contains("must name a callback", Assert.Single(Assert.IsType<ValidationProblem>(problem).ProblemDetails.Errors["callback"]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"includeCommonAccess\":1}", "includeCommonAccess", "must be true or false, not a number.")]
    [InlineData("{\"minEntitlementPopularity\":2.5}", "minEntitlementPopularity", "not a number with a fraction or out of range.")]
    [InlineData("{\"minEntitlementPopularity\":\"5\"}", "minEntitlementPopularity", "not a string.")]
    public async Task A_value_of_the_wrong_type_is_described_as_what_it_is(string body, string field, string expected)
    {
        var (_, problem) = await ExportRequestBodyReader.ReadAsync(Request(body, "application/json"), CancellationToken.None);
        Assert.EndsWith(expected, Assert.Single(Assert.IsType<ValidationProblem>(problem).ProblemDetails.Errors[field]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_the_server_cannot_read_as_HTTP_frames_it_is_a_400_naming_the_body()
    {
        // Kestrel throws BadHttpRequestException from the body's stream on a bad chunk size or a body cut short.
        var request = Request("{}", "application/json");
        request.Body = new UnreadableBody(new BadHttpRequestException("Bad chunk size data."));
        var (options, problem) = await ExportRequestBodyReader.ReadAsync(request, CancellationToken.None);
        Assert.Null(options);
        var details = Assert.IsType<ValidationProblem>(problem).ProblemDetails;
        Assert.Equal(400, details.Status);
        Assert.Contains("Bad chunk size data.", Assert.Single(details.Errors["body"]), StringComparison.Ordinal);
    }

    private static HttpRequest Request(string body, string contentType) => Request(Encoding.UTF8.GetBytes(body), contentType);

    private static HttpRequest Request(byte[] bytes, string contentType)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Request.ContentType = contentType;
        context.Request.Path = "/api/test";
        return context.Request;
    }

    private sealed class UnreadableBody(Exception failure) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(failure);
    }
}
