using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace RoleMining.Functions.Http;

/// <summary>
/// Runs an API handler's <see cref="IResult"/> as the function's result. The Functions ASP.NET Core integration executes
/// returned <see cref="IActionResult"/>s (and skips them when the caller has gone), but not <see cref="IResult"/>s, so
/// the handlers' results are carried in this adapter. Package-free: built and tested locally.
/// </summary>
public sealed class ResultActionResult : IActionResult
{
    /// <summary>Wraps <paramref name="result"/>.</summary>
    public ResultActionResult(IResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
    }

    /// <summary>The handler's result.</summary>
    public IResult Result { get; }

    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Result.ExecuteAsync(context.HttpContext);
    }
}
