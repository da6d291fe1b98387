using Microsoft.AspNetCore.Http;
using RoleMining.Api.Exports;
using RoleMining.Exports;

namespace RoleMining.Api.Routing;

/// <summary>
/// Absolute URLs of API resources, for <c>Location</c> headers and links in bodies: Logic Apps, Power Automate and
/// SailPoint Workflows follow them as they are. Built on <see cref="RoleMiningApiOptions.PublicBaseUrl"/> when set (a
/// front door or API Management in front of the app), otherwise on the request's own scheme, host and path base. Links made
/// outside a request (completion callbacks) need the public base URL.
/// </summary>
public sealed class ApiLinks
{
    private readonly Uri? _publicBaseUrl;

    /// <summary>Creates the links for <paramref name="options"/>.</summary>
    public ApiLinks(RoleMiningApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _publicBaseUrl = options.PublicBaseUrl;
    }

    /// <summary><c>{base}/api/exports/{jobId}</c>.</summary>
    public string Export(HttpRequest? request, string jobId) => Api(request, "exports/" + Segment(jobId));

    /// <summary><c>{base}/api/exports/{jobId}/artifacts/{name}</c>.</summary>
    public string Artifact(HttpRequest? request, string jobId, string name) =>
        Api(request, "exports/" + Segment(jobId) + "/artifacts/" + Segment(name));

    /// <summary><c>{base}/api/sessions/{sessionId}/exports/{batchId}</c>.</summary>
    public string SessionExport(HttpRequest request, string sessionId, string batchId) =>
        Api(request, "sessions/" + Segment(sessionId) + "/exports/" + Segment(batchId));

    /// <summary>The files of a succeeded job with their download links, the manifest last; null for any other job.</summary>
    public IReadOnlyList<ExportArtifactResource>? Artifacts(HttpRequest? request, ExportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.State != ExportJobState.Succeeded)
        {
            return null;
        }

        return
        [
            .. job.Artifacts.Select(artifact => new ExportArtifactResource
            {
                Name = artifact.Name,
                Url = Artifact(request, job.JobId, artifact.Name),
                Size = artifact.Size,
                Sha256 = artifact.Sha256,
                RowCount = artifact.RowCount,
            }),
            new ExportArtifactResource
            {
                Name = ExportArtifactLayout.ManifestFileName,
                Url = Artifact(request, job.JobId, ExportArtifactLayout.ManifestFileName),
            },
        ];
    }

    private string Api(HttpRequest? request, string relative)
    {
        var root = _publicBaseUrl is { } configured
            ? configured.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : request is not null
                ? request.Scheme + "://" + request.Host.ToUriComponent() + request.PathBase.ToUriComponent()
                : throw new InvalidOperationException("Links outside a request need RoleMining:Api:PublicBaseUrl.");
        return root + "/" + ApiRoutes.Prefix + "/" + relative;
    }

    private static string Segment(string value) => Uri.EscapeDataString(value);
}
