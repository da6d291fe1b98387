namespace RoleMining.Cli.Serve;

/// <summary>
/// Settings of <c>rolemining serve</c> (section <c>RoleMining:Serve</c>): who may call it and under which host names.
/// </summary>
internal sealed class ServeSettings
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RoleMining:Serve";

    /// <summary>
    /// The token every request must carry (<c>Authorization: Bearer</c> or <c>x-functions-key</c>). Unset: none on a
    /// loopback address, and a random one printed at start when bound beyond it. A secret: set it with
    /// <c>RoleMining__Serve__AccessToken</c>, user secrets or the <c>--config</c> file, never on the command line.
    /// </summary>
    public string? AccessToken { get; set; }

    /// <summary>
    /// Host names (and <c>*.example.com</c> patterns) requests may name besides the bound addresses, <c>localhost</c>, the
    /// machine's own names and the host of <c>RoleMining:Api:PublicBaseUrl</c>; <c>*</c> allows any.
    /// </summary>
#pragma warning disable CA2227 // Bound from configuration.
    public List<string> AllowedHosts { get; set; } = [];
#pragma warning restore CA2227
}
