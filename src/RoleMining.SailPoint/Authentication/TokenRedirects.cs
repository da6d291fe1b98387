namespace RoleMining.SailPoint.Authentication;

/// <summary>
/// The token request's body holds the client secret, and HttpClient, following a 307 or 308, sends the body again to
/// wherever the Location points (it drops only the Authorization header). So the handler that sends it must not follow
/// redirects; a handler the caller supplies is checked, since the check cannot be made later, once the secret went.
/// </summary>
internal static class TokenRedirects
{
    /// <summary>Whether the primary handler under <paramref name="handler"/>'s delegating handlers follows redirects.</summary>
    public static bool AreFollowedBy(HttpMessageHandler handler)
    {
        var primary = handler;
        while (primary is DelegatingHandler { InnerHandler: { } inner })
        {
            primary = inner;
        }

        // Another primary handler (a test double, a custom transport) cannot be asked; it is taken at its word.
        return primary switch
        {
            SocketsHttpHandler sockets => sockets.AllowAutoRedirect,
            HttpClientHandler client => client.AllowAutoRedirect,
            _ => false,
        };
    }

    public static string Problem(string handler) =>
        $"{handler} follows redirects (AllowAutoRedirect): set AllowAutoRedirect = false. The token request carries the client secret, "
        + "which HttpClient sends on to wherever a 307 or 308 points.";
}
