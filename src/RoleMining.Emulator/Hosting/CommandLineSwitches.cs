using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RoleMining.Emulator;

/// <summary>
/// Friendly command-line switches, translated to configuration keys before the host reads its arguments
/// (<c>--seed 7</c> is <c>--Emulator:Tenant:Seed 7</c>). Any <c>--Emulator:...</c> key works as well.
/// </summary>
/// <remarks>
/// Written by hand rather than with <c>AddCommandLine(args, switchMappings)</c>: switch mappings only rename keys,
/// and these switches also convert their values (seconds and milliseconds to <see cref="TimeSpan"/>, on/off to a
/// boolean, one comma-separated <c>--extra-roles</c> list to indexed keys).
/// </remarks>
public static partial class CommandLineSwitches
{
    private static readonly Dictionary<string, (string Key, Func<string, string> Convert)> Switches = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--seed"] = ("Emulator:Tenant:Seed", Same),
        ["--sessions"] = ("Emulator:Tenant:SessionCount", Same),
        ["--min-identities"] = ("Emulator:Tenant:MinIdentitiesPerPotentialRole", Same),
        ["--max-identities"] = ("Emulator:Tenant:MaxIdentitiesPerPotentialRole", Same),
        ["--extra-attributes"] = ("Emulator:Tenant:ExtraAttributes", Same),
        ["--client-id"] = ("Emulator:ClientId", Same),
        ["--token-lifetime"] = ("Emulator:TokenLifetime", Seconds),
        ["--rate-limit"] = ("Emulator:RateLimit:Enabled", OnOff),
        ["--rate-limit-permits"] = ("Emulator:RateLimit:PermitLimit", Same),
        ["--rate-limit-window"] = ("Emulator:RateLimit:Window", Seconds),
        ["--rate-limit-mode"] = ("Emulator:RateLimit:Mode", RateLimitMode),
        ["--compression"] = ("Emulator:Exports:Compression", Compression),
        ["--export-queued"] = ("Emulator:Exports:QueuedFor", Seconds),
        ["--export-in-progress"] = ("Emulator:Exports:InProgressFor", Seconds),
        ["--fault-seed"] = ("Emulator:Faults:Seed", Same),
        ["--latency-ms"] = ("Emulator:Faults:Default:Latency", Milliseconds),
        ["--error-share"] = ("Emulator:Faults:Default:ServerErrorShare", Same),
        ["--throttle-share"] = ("Emulator:Faults:Default:TooManyRequestsShare", Same),
        ["--reset-share"] = ("Emulator:Faults:Default:ConnectionResetShare", Same),
        ["--export-error-share"] = ("Emulator:Faults:Default:ExportErrorShare", Same),
    };

    /// <summary>The switch that takes a comma-separated list of identity counts for extra potential roles.</summary>
    public const string ExtraRolesSwitch = "--extra-roles";

    /// <summary>What each friendly switch takes and does, in the order help lists them (one table for the stand-alone
    /// program's usage and <c>rolemining emulator --help</c>).</summary>
    public static IReadOnlyList<CommandLineSwitch> Help { get; } =
    [
        new("--seed", "N", "Seed of the synthetic tenant: the same seed gives the same data. [default: 1]"),
        new("--sessions", "N", "Role-mining sessions, cycling through every session state (7 or more show them all). [default: 8]"),
        new("--min-identities", "N", "Fewest identities in a generated potential role. [default: 5]"),
        new("--max-identities", "N", "Most identities in a generated potential role. [default: 300]"),
        new("--extra-attributes", "N", "Extra identity attributes, to widen the rows of exports. [default: 0]"),
        new(ExtraRolesSwitch, "N,N,...", "Extra potential roles with exactly these identity counts, in the first session whose potential roles are created."),
        new("--client-id", "ID", "Client id the token endpoint accepts (its secret: Emulator:ClientSecret). [default: rolemining-emulator]"),
        new("--token-lifetime", "SECONDS", "Lifetime of issued access tokens. [default: 749]"),
        new("--rate-limit", "on|off", "Answer 429 beyond the rate limit, per client id. [default: on]"),
        new("--rate-limit-permits", "N", "Requests per client id and window. [default: 100]"),
        new("--rate-limit-window", "SECONDS", "Length of the rate limit's window. [default: 10]"),
        new("--rate-limit-mode", "fixed|sliding", "Fixed or sliding windows. [default: fixed]"),
        new("--compression", "optimal|fastest|smallest|none", "Compression of the export zips' entries. [default: optimal]"),
        new("--export-queued", "SECONDS", "How long a new export reports QUEUED. [default: 1]"),
        new("--export-in-progress", "SECONDS", "How long an export then reports IN_PROGRESS. [default: 2]"),
        new("--fault-seed", "N", "Seed of the fault injection: which requests get a fault, reproducibly. [default: 0]"),
        new("--latency-ms", "MILLISECONDS", "Delay added before every request is handled. [default: 0]"),
        new("--error-share", "0..1", "Share of requests answered 500, 502 or 503. [default: 0]"),
        new("--throttle-share", "0..1", "Share of requests answered 429 regardless of the rate limit. [default: 0]"),
        new("--reset-share", "0..1", "Share of requests whose connection is reset. [default: 0]"),
        new("--export-error-share", "0..1", "Share of exports that end in ERROR instead of SUCCESS. [default: 0]"),
    ];

    /// <summary>The friendly switches this class understands, for help texts.</summary>
    public static IReadOnlyCollection<string> Names => [.. Switches.Keys, ExtraRolesSwitch];

    /// <summary>True when the arguments ask for help (<c>--help</c>, <c>-h</c>, <c>-?</c>): the program then prints
    /// <see cref="Usage"/> instead of starting a server, which is what a user typing them means.</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Any(argument => argument is "--help" or "-h" or "-?" or "/?");
    }

    /// <summary>The stand-alone program's usage text: its switches, and how any other setting is given.</summary>
    public static string Usage(string program)
    {
        var text = new StringBuilder()
            .AppendLine("Emulator of the SailPoint ISC role-mining API, over a deterministic synthetic tenant.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Usage: {program} [--urls URLS] [options] [--Emulator:Key value ...]")
            .AppendLine()
            .AppendLine("Options:");
        List<(string Name, string Description)> rows =
        [
            ("--urls URLS", "Where to listen (semicolon-separated URLs). [default: http://localhost:5000]"),
            .. Help.Select(entry => ($"{entry.Name} {entry.ValueName}", entry.Description)),
            ("-h, --help", "Show this help and exit."),
        ];
        var width = rows.Max(row => row.Name.Length) + 2;
        foreach (var (name, description) in rows)
        {
            text.Append("  ").Append(name.PadRight(width)).AppendLine(description);
        }

        return text
            .AppendLine()
            .AppendLine("Any setting of the Emulator section is also a switch (--Emulator:Faults:Default:ServerErrorShare 0.1), an")
            .AppendLine("Emulator__... environment variable or a key of appsettings.json. Default credentials: client id")
            .AppendLine("rolemining-emulator, client secret rolemining-emulator-secret.")
            .ToString();
    }

    /// <summary>Sections whose keys pass through to the host as they are (<c>--Logging:LogLevel:Default Warning</c>).</summary>
    private static readonly string[] HostSettingSections = [EmulatorOptions.SectionName + ":", "Logging:", "Kestrel:"];

    /// <summary>The web host's own settings (<c>--urls</c>, <c>--AllowedHosts</c>, ...).</summary>
    private static readonly string[] HostSettingNames = ["urls", "AllowedHosts", "environment", "contentRoot", "webroot", "applicationName"];

    /// <summary>Rewrites friendly switches (<c>--name value</c> or <c>--name=value</c>) as <c>--Key=value</c>; other
    /// arguments pass through unchanged.</summary>
    public static string[] Translate(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var translated = new List<string>(args.Count);
        for (var i = 0; i < args.Count; i++)
        {
            var argument = args[i];
            var equals = argument.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? argument[..equals] : argument;
            var isExtraRoles = string.Equals(name, ExtraRolesSwitch, StringComparison.OrdinalIgnoreCase);
            if (!isExtraRoles && !Switches.ContainsKey(name))
            {
                if (MeantSwitch(name) is { } meant)
                {
                    throw new ArgumentException($"Unknown emulator option '{name}'; did you mean {meant}?", nameof(args));
                }

                if (!IsHostSetting(name))
                {
                    // The host would take '--error-rate 1' for a setting nothing reads, and ignore 'x' or '-x'.
                    throw new ArgumentException($"Unknown emulator option '{name}': --help lists the switches, and any other setting goes as --Emulator:KEY VALUE.", nameof(args));
                }

                translated.Add(argument);
                if (equals < 0 && i + 1 < args.Count)
                {
                    translated.Add(args[++i]);
                }

                continue;
            }

            string value;
            if (equals > 0)
            {
                value = argument[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"The switch '{name}' needs a value.", nameof(args));
            }

            if (isExtraRoles)
            {
                var counts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                for (var index = 0; index < counts.Length; index++)
                {
                    translated.Add(string.Create(CultureInfo.InvariantCulture, $"--Emulator:Tenant:AdditionalPotentialRoleIdentityCounts:{index}={counts[index]}"));
                }

                continue;
            }

            var (key, convert) = Switches[name];
            try
            {
                translated.Add($"--{key}={convert(value)}");
            }
            catch (ArgumentException exception)
            {
                throw new ArgumentException($"{name}: {exception.Message.Replace($" (Parameter '{exception.ParamName}')", string.Empty, StringComparison.Ordinal)}", nameof(args), exception);
            }
        }

        return [.. translated];
    }

    /// <summary>
    /// Whether <paramref name="name"/> is a setting the web host reads from the command line as it is: a key of the
    /// Emulator section (checked when it is bound), of logging or Kestrel, or one of the host's own.
    /// </summary>
    private static bool IsHostSetting(string name)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        var key = name[2..];
        return HostSettingNames.Any(known => string.Equals(key, known, StringComparison.OrdinalIgnoreCase))
            || HostSettingSections.Any(section => key.StartsWith(section, StringComparison.OrdinalIgnoreCase) && key.Length > section.Length);
    }

    /// <summary>
    /// The switch a <c>--name</c> one or two letters away from it meant (<c>--sesions</c>: <c>--sessions</c>); null for a
    /// name that is no switch's typo, which passes, since the host reads any key it is given (<c>--AllowedHosts</c>,
    /// <c>--urls</c>, <c>--Emulator:...</c>).
    /// </summary>
    private static string? MeantSwitch(string argumentName)
    {
        if (!argumentName.StartsWith("--", StringComparison.Ordinal) || argumentName.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        var name = argumentName.ToLowerInvariant();
        return Names.FirstOrDefault(known => EditDistance(name, known) <= 2);
    }

    /// <summary>Levenshtein distance (written out: a dozen lines, and no library of the solution offers it).</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// "--seed (Emulator:Tenant:Seed) must be a whole number, not 'abc'." for the configuration binder's failure to convert
    /// a value, naming the friendly switch when there is one; null for any other exception. The emulator references none of
    /// the other projects, so the command line's own wording of such errors is not shared with it.
    /// </summary>
    public static string? DescribeInvalidValue(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (BinderUnknownKeys().Match(exception.Message) is { Success: true } unknown)
        {
            return $"Unknown emulator setting {unknown.Groups["keys"].Value} (of {unknown.Groups["type"].Value}, in the {EmulatorOptions.SectionName} section): --help lists the switches.";
        }

        var match = BinderConversion().Match(exception.Message);
        if (!match.Success)
        {
            return null;
        }

        var key = match.Groups["key"].Value;
        var name = Switches.FirstOrDefault(entry => string.Equals(entry.Value.Key, key, StringComparison.OrdinalIgnoreCase)).Key;
        var expected = match.Groups["type"].Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" => "a number",
            "System.Boolean" => "true or false (on or off)",
            "System.TimeSpan" => "a time span such as 00:00:30",
            var type => "a value of type " + type[(type.LastIndexOf('.') + 1)..],
        };
        return $"{(name is null ? key : $"{name} ({key})")} must be {expected}, not '{match.Groups["value"].Value}'.";
    }

    [GeneratedRegex(@"Failed to convert configuration value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BinderConversion();

    [GeneratedRegex(@"properties were not found on the instance of (?:[\w.]+\.)?(?<type>\w+): (?<keys>.+)$")]
    private static partial Regex BinderUnknownKeys();

    private static string Same(string value) => value;

    private static string OnOff(string value) => value.Trim().ToLowerInvariant() switch
    {
        "on" or "true" or "yes" or "1" => "true",
        "off" or "false" or "no" or "0" => "false",
        _ => throw new ArgumentException($"Expected on or off, not '{value}'.", nameof(value)),
    };

    private static string Seconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture)
            : value;

    private static string Milliseconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds).ToString("c", CultureInfo.InvariantCulture)
            : value;

    private static string RateLimitMode(string value) => value.Trim().ToLowerInvariant() switch
    {
        "fixed" or "fixedwindow" or "fixed-window" => "FixedWindow",
        "sliding" or "slidingwindow" or "sliding-window" => "SlidingWindow",
        _ => throw new ArgumentException($"Expected fixed or sliding, not '{value}'.", nameof(value)),
    };

    private static string Compression(string value) => value.Trim().ToLowerInvariant() switch
    {
        "none" or "nocompression" or "off" => "NoCompression",
        "optimal" or "on" => "Optimal",
        "fastest" => "Fastest",
        "smallest" or "smallestsize" => "SmallestSize",
        _ => value,
    };
}

/// <summary>A friendly switch of the emulator as help shows it.</summary>
/// <param name="Name">The switch (<c>--seed</c>).</param>
/// <param name="ValueName">What it takes (<c>N</c>, <c>SECONDS</c>, <c>on|off</c>).</param>
/// <param name="Description">What it does, with its default.</param>
public sealed record CommandLineSwitch(string Name, string ValueName, string Description);
