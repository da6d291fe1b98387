using RoleMining.Cli.Hosting;

namespace RoleMining.Cli.Tests.Infrastructure;

/// <summary>
/// Runs <c>rolemining</c> in-process through its real entry point, with captured standard output and error, its own
/// environment variables and working directory (nothing from the test process leaks in, and nothing leaks out).
/// </summary>
public sealed class CliRunner
{
    private readonly Dictionary<string, string?> _environment = new(StringComparer.OrdinalIgnoreCase);

    public CliRunner(string? workingDirectory = null)
    {
        WorkingDirectory = workingDirectory ?? Path.GetTempPath();
    }

    public string WorkingDirectory { get; }

    /// <summary>Sets an environment variable of the runs.</summary>
    public CliRunner With(string variable, string? value)
    {
        _environment[variable] = value;
        return this;
    }

    /// <summary>Points the runs at an emulator (as a configured tenant, through the SAIL_* variables).</summary>
    public CliRunner WithTenant(Uri baseAddress, string clientId, string clientSecret) =>
        With("SAIL_BASE_URL", baseAddress.ToString())
            .With("SAIL_CLIENT_ID", clientId)
            .With("SAIL_CLIENT_SECRET", clientSecret);

    public Task<CliResult> RunAsync(params string[] args) => RunAsync(args, CancellationToken.None);

    public async Task<CliResult> RunAsync(string[] args, CancellationToken cancellationToken, Action<string>? onOutputLine = null)
    {
        var output = new LineNotifyingWriter(onOutputLine);
        var error = new LineNotifyingWriter(null);
        var context = new CliContext(new CliConsole(output, error), new Dictionary<string, string?>(_environment), WorkingDirectory, loadUserSecrets: false);
        var exitCode = await RoleMiningCli.RunAsync(args, context, cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
