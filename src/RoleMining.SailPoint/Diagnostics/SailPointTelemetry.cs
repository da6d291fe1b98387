using System.Diagnostics;

namespace RoleMining.SailPoint.Diagnostics;

/// <summary>Tracing for the client: one <see cref="Activity"/> per operation, named by its ISC operationId.</summary>
public static class SailPointTelemetry
{
    /// <summary>The name to subscribe to (<c>AddSource("RoleMining.SailPoint")</c>).</summary>
    public const string ActivitySourceName = "RoleMining.SailPoint";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
}
