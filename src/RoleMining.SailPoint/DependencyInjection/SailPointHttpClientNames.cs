namespace RoleMining.SailPoint;

/// <summary>
/// Names of the <see cref="System.Net.Http.IHttpClientFactory"/> clients this library registers, for callers that want
/// to add a handler (a proxy, a test handler) with <c>services.AddHttpClient(name)...</c>.
/// </summary>
public static class SailPointHttpClientNames
{
    /// <summary>The client that calls the role-mining API.</summary>
    public const string Api = "RoleMining.SailPoint.Api";

    /// <summary>The client that calls <c>/oauth/token</c>, kept apart so its handlers never see API traffic.</summary>
    public const string Token = "RoleMining.SailPoint.Token";
}
