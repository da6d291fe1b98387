using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoleMining.Api.Diagnostics;

namespace RoleMining.Api.Authentication;

/// <summary>
/// Says at start, as a critical error, that a host which requires authentication has none configured: its API then
/// refuses every request (503), and the operator learns why from the first log line rather than from the first caller.
/// </summary>
public sealed class ApiAuthenticationStartupCheck(IOptions<RoleMiningApiOptions> options, ILogger<ApiAuthenticationStartupCheck> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Authentication.IsConfigured)
        {
            Log.AuthenticationNotConfiguredAtStart(logger);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
