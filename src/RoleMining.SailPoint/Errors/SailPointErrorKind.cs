namespace RoleMining.SailPoint;

/// <summary>What kind of failure a <see cref="SailPointException"/> reports.</summary>
public enum SailPointErrorKind
{
    /// <summary>The service answered with an error status.</summary>
    Service = 0,

    /// <summary>The service could not be reached or the connection broke.</summary>
    Transport,

    /// <summary>An attempt or the whole operation ran out of its time budget.</summary>
    Timeout,

    /// <summary>The circuit breaker is open: recent calls to this tenant failed, so no call was made.</summary>
    CircuitOpen,

    /// <summary>The client-side rate limiter refused the call (its queue was full).</summary>
    RateLimited,

    /// <summary>Authentication at <c>/oauth/token</c> failed.</summary>
    Authentication,

    /// <summary>The service answered with a body this client could not read.</summary>
    InvalidResponse,
}
