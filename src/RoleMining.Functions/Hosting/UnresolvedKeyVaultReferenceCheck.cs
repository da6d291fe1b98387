using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoleMining.Api;

namespace RoleMining.Functions.Hosting;

/// <summary>
/// Says at start, as a critical error, which app settings are still Key Vault references: the platform leaves a reference
/// it could not resolve (the secret does not exist yet, or the app's identity cannot read it) as its literal text, which
/// the app would otherwise take for the secret itself, and every SailPoint call or callback would fail with a 401 that
/// does not say why.
/// </summary>
public sealed partial class UnresolvedKeyVaultReferenceCheck(IConfiguration configuration, ILogger<UnresolvedKeyVaultReferenceCheck> logger) : IHostedService
{
    /// <summary>The settings, in app-setting form (<c>SailPoint__ClientSecret</c>), that are still references.</summary>
    public IReadOnlyList<string> FindUnresolved() =>
        [.. configuration.AsEnumerable()
            .Where(pair => KeyVaultReferences.IsReference(pair.Value))
            .Select(pair => pair.Key.Replace(":", "__", StringComparison.Ordinal))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.Ordinal)];

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var setting in FindUnresolved())
        {
            LogUnresolved(logger, setting);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 40, Level = LogLevel.Critical, Message = "App setting {Setting} is still a Key Vault reference: it could not be resolved (the secret does not exist, or the app's identity cannot read it yet), so what uses it will fail. Set the secret, then restart the app; the portal shows the reference's status under Environment variables.")]
    private static partial void LogUnresolved(ILogger logger, string setting);
}
