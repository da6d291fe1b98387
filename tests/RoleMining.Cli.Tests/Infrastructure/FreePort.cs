using System.Net;
using System.Net.Sockets;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>A loopback port that nothing listens on.</summary>
public static class FreePort
{
    /// <summary>Binds port 0 and releases it at once: nothing listens on the port afterwards.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
