using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Functions.Http;

namespace RoleMining.Functions.Tests.Http;

public sealed class ResultActionResultTests
{
    [Fact]
    public async Task A_handler_result_is_written_to_the_function_response()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        var action = new ResultActionResult(Results.Json(new { state = "Succeeded" }, statusCode: StatusCodes.Status202Accepted));

        await action.ExecuteResultAsync(new ActionContext(context, new RouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));

        Assert.Equal(StatusCodes.Status202Accepted, context.Response.StatusCode);
        Assert.StartsWith("application/json", context.Response.ContentType, StringComparison.Ordinal);
        context.Response.Body.Position = 0;
        Assert.Equal("{\"state\":\"Succeeded\"}", await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
