namespace RoleMining.SailPoint;

/// <summary>
/// Names of the <see cref="System.Net.Http.IHttpClientFactory"/> clients this library registers, for callers that want
/// to add a handler (a proxy, a test handler) with <c>services.AddHttpClient(name)...</c>.
/// </summary>
public static class SailPointHttpClientNames
{
    /// <summary>The client that calls the role-mining API.</summary>
    public const string Api = "RoleMining.SailPoint.Api";

    /// <summary>
    /// The client that calls <c>/oauth/token</c>, kept apart so its handlers never see API traffic. Its primary handler
    /// follows no redirect (the request's body holds the client secret); a primary handler configured in its place must
    /// not either, or every token request is refused.
    /// </summary>
    public const string Token = "RoleMining.SailPoint.Token";
}
