using System.Net;
using Microsoft.AspNetCore.Connections;
using RoleMining.Cli.Hosting;

namespace RoleMining.Cli.Serve;

/// <summary>The addresses of <c>--urls</c>, checked before anything starts, and whether any of them reaches beyond this machine.</summary>
internal sealed class ServeUrls
{
    private ServeUrls(string value, IReadOnlyList<Uri> addresses)
    {
        Value = value;
        Addresses = addresses;
    }

    /// <summary>The option as given (what Kestrel is told).</summary>
    public string Value { get; }

    /// <summary>Each address, with a wildcard host (<c>*</c>, <c>+</c>) read as <c>0.0.0.0</c>.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    /// <summary>Whether some address listens on more than loopback (a wildcard, a name or an address of a network interface).</summary>
    public bool ReachBeyondThisMachine => Addresses.Any(address => !IsLoopbackHost(address.Host));

    /// <summary>
    /// Parses <c>--urls</c>: semicolon-separated absolute http:// URLs. Not https://: it needs a certificate, which these
    /// commands have no setting for (Kestrel would refuse it only when it starts, in words about its own API).
    /// </summary>
    /// <exception cref="CliException">A usage error naming the bad part.</exception>
    public static ServeUrls Parse(string value)
    {
        var addresses = new List<Uri>();
        foreach (var part in value.Split(';', StringSplitOptions.TrimEntries))
        {
            var candidate = part.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            var parsed = Uri.TryCreate(candidate, UriKind.Absolute, out var uri);
            if (parsed && uri!.Scheme == Uri.UriSchemeHttps)
            {
                throw CliException.Usage($"--urls '{part}': https is not served here, for want of a certificate setting; listen on http:// on loopback, or behind a proxy that ends TLS.");
            }

            if (!parsed || uri!.Scheme != Uri.UriSchemeHttp
                || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
            {
                throw CliException.Usage($"--urls '{part}' is not an http:// URL of the form http://HOST:PORT (e.g. http://127.0.0.1:5090; several separated by ';').");
            }

            addresses.Add(uri);
        }

        return new ServeUrls(value, addresses);
    }

    /// <summary>The configuration error for a server that could not listen on <paramref name="urls"/> (Kestrel's IOException).</summary>
    public static CliException ListenFailure(string urls, IOException exception) => exception.InnerException is AddressInUseException
        ? CliException.Configuration($"Cannot listen on {urls}: the address is already in use.", exception)
        : CliException.Configuration($"Cannot listen on {urls}: {exception.Message}", exception);

    /// <summary>Whether <paramref name="host"/> (as a URL or Host header names it) is this machine only.</summary>
    public static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
}
