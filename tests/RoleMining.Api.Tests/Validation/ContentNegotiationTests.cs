using Microsoft.AspNetCore.Http;
using RoleMining.Api.Validation;

namespace RoleMining.Api.Tests.Validation;

public sealed class ContentNegotiationTests
{
    [Theory]
    [InlineData(null, "application/json")]
    [InlineData("", "application/json")]
    [InlineData("*/*", "application/json")]
    [InlineData("text/*", "text/csv")]
    [InlineData("text/csv", "text/csv")]
    [InlineData("application/json, text/csv", "application/json")]
    [InlineData("text/csv;q=0.9, application/json;q=0.8", "text/csv")]
    [InlineData("*/*;q=0.1, text/csv", "text/csv")]
    [InlineData("text/*;q=0.2, application/*;q=0.1", "text/csv")]
    [InlineData("*/*, application/json;q=0", "text/csv")]
    [InlineData("application/json; charset=utf-8", "application/json")]
    [InlineData("text/csv; charset=UTF-8", "text/csv")]
    [InlineData("text/csv;header=present", "text/csv")]
    [InlineData("application/json;odata=nometadata", "application/json")]
    [InlineData("*/*; charset=utf-8", "application/json")]
    [InlineData("application/json; charset=\"utf-8\"", "application/json")]
    [InlineData("text/csv; charset=\"UTF-8\"", "text/csv")]
    [InlineData("text/csv; charset=iso-8859-1, application/json", "application/json")]
    public void The_best_offered_type_is_chosen(string? accept, string expected)
    {
        var errors = new RequestErrors();
        Assert.Equal(expected, ContentNegotiation.Choose(Request(accept), errors, ContentNegotiation.Json, ContentNegotiation.Csv));
        Assert.False(errors.Any);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/csv;q=0, application/json;q=0")]
    [InlineData("image/*")]
    [InlineData("application/json; charset=iso-8859-1")]
    public void Nothing_acceptable_is_an_error_on_Accept(string accept)
    {
        var errors = new RequestErrors();
        Assert.Null(ContentNegotiation.Choose(Request(accept), errors, ContentNegotiation.Json, ContentNegotiation.Csv));
        Assert.Equal(["Accept"], errors.Fields);
        Assert.Equal([ContentNegotiation.Json, ContentNegotiation.Csv], errors.NotAcceptable);
    }

    [Fact]
    public void An_unparseable_accept_is_a_400_error_not_a_406()
    {
        var errors = new RequestErrors();
        Assert.Null(ContentNegotiation.Choose(Request("text/csv;;;q=x=y, /"), errors, ContentNegotiation.Json));
        Assert.Equal(["Accept"], errors.Fields);
        Assert.Null(errors.NotAcceptable);
    }

    private static HttpRequest Request(string? accept)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        return context.Request;
    }
}
