using System.ComponentModel.DataAnnotations;
using RoleMining.Api.Authentication;
using RoleMining.Api.Callbacks;
using RoleMining.Validation;

namespace RoleMining.Api;

/// <summary>Settings of the HTTP API, bound from the configuration section <c>RoleMining:Api</c> and validated at start-up.</summary>
public sealed class RoleMiningApiOptions
{
    /// <summary>The default configuration section.</summary>
    public const string SectionName = "RoleMining:Api";

    /// <summary>
    /// The externally visible base address (e.g. <c>https://contoso-rolemining.azurewebsites.net</c>, or an API Management
    /// front door) that <c>Location</c> headers are built on. Empty: the scheme and host of each request.
    /// </summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>The <c>Retry-After</c> given with a 202 while an export runs and its next step is not yet scheduled.</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan ExportRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest <c>Retry-After</c> a 202 gives, however late the export's next step is due.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan MaxExportRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The <c>Retry-After</c> of a 503 when SailPoint did not say how long to wait (circuit open, client-side rate limit).</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan UnavailableRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Potential roles one session-wide export may start; a larger session is refused with 422 rather than half-started.</summary>
    [Range(1, 100_000)]
    public int MaxRolesPerSessionExport { get; set; } = 1_000;

    /// <summary>Who may call (<c>RoleMining:Api:Authentication</c>).</summary>
    public ApiAuthenticationOptions Authentication { get; set; } = new();

    /// <summary>
    /// Completion callbacks by name (<c>RoleMining:Api:Callbacks:{name}</c>): a start request may name one
    /// (<c>"callback": "SailPointWorkflow"</c>), never give a URL or a secret itself.
    /// </summary>
    public Dictionary<string, CallbackTargetOptions> Callbacks { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
