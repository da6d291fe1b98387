using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace RoleMining.Api.Hosting;

/// <summary>
/// The Azure Functions isolated worker's ASP.NET Core integration executes an <see cref="IActionResult"/> returned by an
/// HTTP trigger, not an <see cref="IResult"/>; this runs the handler's result as one:
/// <c>return (await handlers.GetSessionAsync(req, sessionId, token)).ToActionResult();</c>
/// </summary>
public static class ActionResultAdapter
{
    /// <summary>Wraps <paramref name="result"/> so that the Functions host executes it.</summary>
    public static IActionResult ToActionResult(this IResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ResultActionResult(result);
    }

    private sealed class ResultActionResult(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            return result.ExecuteAsync(context.HttpContext);
        }
    }
}
