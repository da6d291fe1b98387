namespace RoleMining.SailPoint;

/// <summary>One localised message of an ISC error (spec: <c>ErrorMessageDto</c>).</summary>
public sealed record SailPointErrorMessage
{
    /// <summary>BCP 47 locale of <see cref="Text"/>.</summary>
    public string? Locale { get; init; }

    /// <summary>How the locale was chosen (<c>DEFAULT</c>, <c>REQUEST</c>).</summary>
    public string? LocaleOrigin { get; init; }

    /// <summary>The message text.</summary>
    public string? Text { get; init; }
}
