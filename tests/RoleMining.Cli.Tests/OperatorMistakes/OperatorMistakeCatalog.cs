using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary>
/// One row of <c>docs/operator-mistakes.md</c>: what the operator gets wrong, what comes back (an exit code or an HTTP
/// status), and a fragment of the one line that explains it. The tests of this folder assert each row's behaviour; a test
/// keeps the document and this catalog identical, so the table cannot drift from what the program does.
/// </summary>
public sealed record OperatorMistake(string Id, string Outcome, string Says)
{
    public static string Exit(int code) => $"exit {code}";

    public static string Http(int status) => $"HTTP {status}";
}

public static class OperatorMistakeCatalog
{
    public static readonly OperatorMistake PartialTenant = new("partial-tenant", OperatorMistake.Exit(ExitCodes.Configuration), "SAIL_BASE_URL (SailPoint:BaseUrl) is not set");

    public static readonly OperatorMistake UnknownSession = new("unknown-session", OperatorMistake.Exit(ExitCodes.Failed), "SailPoint has no role-mining session");

    public static readonly OperatorMistake ServeForeignHost = new("serve-foreign-host", OperatorMistake.Http(400), "is not a host this server answers to");

    public static readonly OperatorMistake ServePostWithoutJson = new("serve-post-without-json", OperatorMistake.Http(415), "Content-Type: application/json");

    public static readonly OperatorMistake ServeWithoutToken = new("serve-without-token", OperatorMistake.Http(401), "Authorization: Bearer");

    public static readonly OperatorMistake FolderInUse = new("folder-in-use", OperatorMistake.Exit(ExitCodes.Failed), "is in use by another rolemining run");

    public static readonly OperatorMistake BaseUrlWithPath = new("base-url-with-path", OperatorMistake.Exit(ExitCodes.Configuration), "must be the tenant's API root, without an API version or API path");

    public static readonly OperatorMistake ConfigBadJson = new("config-bad-json", OperatorMistake.Exit(ExitCodes.Configuration), "is not valid JSON at line");

    public static readonly OperatorMistake ConfigWrongType = new("config-wrong-type", OperatorMistake.Exit(ExitCodes.Configuration), "must be a list");

    public static readonly OperatorMistake ServePortBusy = new("serve-port-busy", OperatorMistake.Exit(ExitCodes.Configuration), "the address is already in use");

    public static readonly OperatorMistake ServeBadUrl = new("serve-bad-url", OperatorMistake.Exit(ExitCodes.Usage), "is not an http:// URL");

    public static readonly OperatorMistake ServeHttps = new("serve-https", OperatorMistake.Exit(ExitCodes.Usage), "https is not served here");

    public static readonly OperatorMistake EmulatorBadSeed = new("emulator-bad-seed", OperatorMistake.Exit(ExitCodes.Usage), "--seed (Emulator:Tenant:Seed) must be a whole number, not 'abc'");

    public static readonly OperatorMistake OptionNotANumber = new("option-not-a-number", OperatorMistake.Exit(ExitCodes.Usage), "--min-popularity must be a whole number, not 'abc'");

    public static readonly OperatorMistake DiskFull = new("disk-full", OperatorMistake.Exit(ExitCodes.Failed), "no space left");

    public static readonly OperatorMistake DiskFullRerun = new("disk-full-rerun", OperatorMistake.Exit(ExitCodes.Success), "first try to continue with their SailPoint export");

    public static readonly OperatorMistake UnreachableTenant = new("unreachable-tenant", OperatorMistake.Exit(ExitCodes.Unreachable), "could not reach the service");

    public static readonly OperatorMistake ServeStopped = new("serve-stopped", OperatorMistake.Exit(ExitCodes.Success), "Stopped.");

    public static readonly OperatorMistake BlobContainerNameOnly = new("blob-container-name-only", OperatorMistake.Exit(ExitCodes.Configuration), "is a container name, so RoleMining:Exports:Blob:ConnectionString");

    public static readonly OperatorMistake BlobContainerRefused = new("blob-container-refused", OperatorMistake.Exit(ExitCodes.Failed), "Azure Blob Storage refused the container");

    public static IReadOnlyList<OperatorMistake> All { get; } =
    [
        PartialTenant, UnknownSession, ServeForeignHost, ServePostWithoutJson, ServeWithoutToken, FolderInUse, BaseUrlWithPath,
        ConfigBadJson, ConfigWrongType, ServePortBusy, ServeBadUrl, ServeHttps, EmulatorBadSeed, OptionNotANumber, DiskFull, DiskFullRerun,
        UnreachableTenant, ServeStopped, BlobContainerNameOnly, BlobContainerRefused,
    ];

    /// <summary>The run ended as the row says: its exit code, the explaining line on standard error (or output), no stack trace.</summary>
    public static void AssertGot(this CliResult result, OperatorMistake mistake)
    {
        Assert.True(mistake.Outcome == OperatorMistake.Exit(result.ExitCode), $"{mistake.Id}: expected {mistake.Outcome}\n{result}");
        Assert.True(
            result.Error.Contains(mistake.Says, StringComparison.Ordinal) || result.Output.Contains(mistake.Says, StringComparison.Ordinal),
            $"{mistake.Id}: expected '{mistake.Says}'\n{result}");
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unexpected error", result.Error, StringComparison.Ordinal);
    }
}
