using System.Buffers.Text;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;

namespace RoleMining.Cli.Serve.Security;

/// <summary>
/// What <c>rolemining serve</c> requires of a request: a Host header naming this server (no DNS rebinding), a JSON
/// content type on POSTs (no cross-site form posts), and, when bound beyond this machine or configured, an access token,
/// which the API's own gate (<c>ApiAuthenticator</c>) checks as an API key beside any configured in
/// <c>RoleMining:Api:Authentication</c>.
/// </summary>
internal sealed class ServeSecurity
{
    /// <summary>The caller name of the access token among the API keys.</summary>
    public const string AccessTokenCaller = "rolemining-serve";

    private ServeSecurity(IReadOnlyList<StringSegment> allowedHosts, string? accessToken, bool tokenGenerated)
    {
        AllowedHosts = allowedHosts;
        AccessToken = accessToken;
        TokenGenerated = tokenGenerated;
    }

    /// <summary>Host patterns requests may name (<see cref="Microsoft.AspNetCore.Http.HostString.MatchesAny"/>).</summary>
    public IReadOnlyList<StringSegment> AllowedHosts { get; }

    /// <summary>The token requests must carry; null: none is required (loopback, nothing configured).</summary>
    public string? AccessToken { get; }

    /// <summary>Whether <see cref="AccessToken"/> was made up at start (and is to be shown), rather than configured.</summary>
    public bool TokenGenerated { get; }

    /// <summary>The rules for <paramref name="urls"/> with <paramref name="settings"/> and the public base URL of the API.</summary>
    public static ServeSecurity For(ServeUrls urls, ServeSettings settings, Uri? publicBaseUrl)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };
        foreach (var address in urls.Addresses)
        {
            if (IsWildcard(address.Host))
            {
                AddMachineNames(hosts);
            }
            else
            {
                hosts.Add(address.Host);
            }
        }

        if (publicBaseUrl is not null)
        {
            hosts.Add(publicBaseUrl.Host);
        }

        hosts.UnionWith(settings.AllowedHosts.Where(host => !string.IsNullOrWhiteSpace(host)).Select(host => host.Trim()));
        var configured = string.IsNullOrWhiteSpace(settings.AccessToken) ? null : settings.AccessToken;
        var generated = configured is null && urls.ReachBeyondThisMachine;
        var token = configured ?? (generated ? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)) : null);
        return new ServeSecurity([.. hosts.Select(host => new StringSegment(host))], token, generated);
    }

    private static bool IsWildcard(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));

    /// <summary>The names and addresses this machine is reached by on a wildcard bind; DNS aliases go in RoleMining:Serve:AllowedHosts.</summary>
    private static void AddMachineNames(HashSet<string> hosts)
    {
        hosts.Add(Dns.GetHostName());
        foreach (var network in NetworkInterface.GetAllNetworkInterfaces().Where(network => network.OperationalStatus == OperationalStatus.Up))
        {
            foreach (var unicast in network.GetIPProperties().UnicastAddresses)
            {
                var address = unicast.Address;
                hosts.Add(address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{new IPAddress(address.GetAddressBytes())}]" : address.ToString());
            }
        }
    }
}
