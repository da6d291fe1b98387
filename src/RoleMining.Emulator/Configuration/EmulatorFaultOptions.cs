using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using RoleMining.Validation;

namespace RoleMining.Emulator;

/// <summary>
/// Fault injection, all off by default. Route keys are spec operationIds (e.g. <c>getIdentitiesPotentialRole</c>);
/// a v1 operationId (<c>getIdentitiesPotentialRoleV1</c>) falls back to its key without the <c>V1</c> suffix, then to
/// <see cref="Default"/>. The token endpoint (key <c>oauthToken</c>) only gets faults configured under its own key.
/// The server reads this object on every request, so a test may change it while the server runs (between requests).
/// </summary>
public sealed class EmulatorFaultOptions : IValidatableObject
{
    /// <summary>Seed of the generator that decides which requests get a fault, so a run can be reproduced.</summary>
    [Range(0, int.MaxValue)]
    public int Seed { get; set; }

    /// <summary>Faults for every operation without an entry in <see cref="Routes"/>.</summary>
    [ValidateObjectMembers]
    public EmulatorRouteFaultOptions Default { get; set; } = new();

    /// <summary>Faults per operationId; an entry replaces <see cref="Default"/> for that operation.</summary>
#pragma warning disable CA2227 // The configuration binder and object initialisers set this dictionary.
    public Dictionary<string, EmulatorRouteFaultOptions> Routes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
#pragma warning restore CA2227

    /// <summary>Share (0..1) of issued tokens that stop working after <see cref="EarlyTokenLifetime"/>, although
    /// <c>expires_in</c> promises the full lifetime (as when ISC revokes a token early).</summary>
    [Range(0d, 1d)]
    public double EarlyTokenExpiryShare { get; set; }

    /// <summary>Real lifetime of the tokens chosen by <see cref="EarlyTokenExpiryShare"/>.</summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan EarlyTokenLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Validates every route's settings (DataAnnotations does not look into dictionary values).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (operationId, route) in Routes ?? [])
        {
            if (route is null)
            {
                yield return new ValidationResult($"Routes:{operationId} must not be null.", [nameof(Routes)]);
                continue;
            }

            var result = EmulatorOptionsValidator.RouteFaults.Validate($"Routes:{operationId}", route);
            foreach (var failure in result.Failures ?? [])
            {
                yield return new ValidationResult(failure, [$"Routes:{operationId}"]);
            }
        }
    }

    /// <summary>The fault settings that apply to <paramref name="operationId"/>.</summary>
    public EmulatorRouteFaultOptions For(string operationId)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        var routes = Routes;
        if (routes is not null)
        {
            if (routes.TryGetValue(operationId, out var exact))
            {
                return exact;
            }

            if (operationId.EndsWith("V1", StringComparison.Ordinal) && routes.TryGetValue(operationId[..^2], out var canonical))
            {
                return canonical;
            }
        }

        return operationId == OperationIds.Token ? EmulatorRouteFaultOptions.None : Default;
    }
}

/// <summary>Faults of one operation. Shares are probabilities between 0 and 1.</summary>
public sealed class EmulatorRouteFaultOptions
{
    internal static readonly EmulatorRouteFaultOptions None = new();

    /// <summary>Delay added before the request is handled.</summary>
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan Latency { get; set; }

    /// <summary>Share of requests answered 500, 502 or 503 (chosen at random among the three).</summary>
    [Range(0d, 1d)]
    public double ServerErrorShare { get; set; }

    /// <summary>Share of requests answered 429 with <c>Retry-After</c>.</summary>
    [Range(0d, 1d)]
    public double TooManyRequestsShare { get; set; }

    /// <summary>The <c>Retry-After</c> of injected 429s (whole seconds, at least 1).</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan TooManyRequestsRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Share of requests whose connection is aborted (the client sees a reset).</summary>
    [Range(0d, 1d)]
    public double ConnectionResetShare { get; set; }

    /// <summary>When true, injected 5xx and resets happen after the request took effect (e.g. the export was
    /// created, but its response is lost); otherwise before it is handled.</summary>
    public bool FailAfterHandling { get; set; }

    /// <summary>Share of zip downloads that end early: the last <see cref="TruncatedDownloadMissingBytes"/> bytes are
    /// never sent, but the response ends normally.</summary>
    [Range(0d, 1d)]
    public double TruncatedDownloadShare { get; set; }

    /// <summary>How many bytes a truncated download lacks at its end (the zip's central directory).</summary>
    [Range(1, 1_000_000)]
    public int TruncatedDownloadMissingBytes { get; set; } = 64;

    /// <summary>Share of zip downloads with one flipped byte in the first entry's local header: the entries still list,
    /// but reading the first one fails.</summary>
    [Range(0d, 1d)]
    public double CorruptedDownloadShare { get; set; }

    /// <summary>Share of export-async jobs (decided at creation) that end in <c>ERROR</c> instead of <c>SUCCESS</c>.</summary>
    [Range(0d, 1d)]
    public double ExportErrorShare { get; set; }

    /// <summary>Answer 400 for an <c>offset</c> (&gt; 0) exactly at the end of the data, as some ISC endpoints do,
    /// instead of 200 with <c>[]</c>.</summary>
    public bool BadRequestForOffsetAtEnd { get; set; }
}
