using System.Security.Cryptography;
using System.Text;

namespace RoleMining.Testing.FunctionsHost;

/// <summary>The app settings a host of the published Functions app gets in the tests and benchmarks, as Azure sets them.</summary>
public static class FunctionsAppSettings
{
    /// <summary>
    /// The storage connection, <paramref name="sailPoint"/> as the tenant (the emulator), a sweep schedule that is never
    /// due while a test or benchmark runs, the resume timer's schedule (its timer is not indexed without one), and one API
    /// key named <paramref name="apiKeyName"/>, stored by its SHA-256 as in Azure (without a way to authenticate its callers
    /// the app answers every request with 503; the host's function keys are not one).
    /// </summary>
    public static Dictionary<string, string?> Create(string storage, Uri sailPoint, string clientId, string clientSecret, string resumeSchedule, string apiKeyName, string apiKey)
    {
        ArgumentNullException.ThrowIfNull(sailPoint);
        return new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["SailPoint__BaseUrl"] = sailPoint.ToString(),
            ["SailPoint__ClientId"] = clientId,
            ["SailPoint__ClientSecret"] = clientSecret,
            ["SailPoint__ApiVersion"] = "v2024",
            ["RoleMining_Schedule"] = "0 0 0 1 1 *",
            ["RoleMining_ResumeSchedule"] = resumeSchedule,
            [$"RoleMining__Api__Authentication__ApiKeys__{apiKeyName}"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
        };
    }
}
