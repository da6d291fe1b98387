namespace RoleMining.Emulator.Diagnostics;

/// <summary>The emulator's log messages. Never a token, a secret or a query string (the token endpoint accepts
/// credentials as query parameters).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMs:0.0} ms client={ClientId}")]
    public static partial void RequestCompleted(ILogger logger, string method, string path, int statusCode, double elapsedMs, string clientId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Method} {Path} aborted after {ElapsedMs:0.0} ms client={ClientId}")]
    public static partial void RequestAborted(ILogger logger, string method, string path, double elapsedMs, string clientId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "RoleMining emulator listening on {BaseAddress} (client id: {ClientId})")]
    public static partial void Listening(ILogger logger, string baseAddress, string clientId);
}
