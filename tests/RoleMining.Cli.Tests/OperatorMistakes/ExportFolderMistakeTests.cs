using System.Diagnostics;
using System.Runtime.Versioning;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;

namespace RoleMining.Cli.Tests.OperatorMistakes;

/// <summary>Mistakes around what is exported and where: unknown sessions, a shared folder, a full disk, file permissions.</summary>
public sealed class ExportFolderMistakeTests
{
    private const string UnknownSessionId = "0badc0de-0000-4000-8000-000000000000";

    [Theory]
    [InlineData("export", "--all")]
    [InlineData("sweep", null)]
    public async Task An_explicitly_selected_session_that_SailPoint_does_not_know_is_an_error_and_nothing_is_exported(string command, string? option)
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Tenant.MaxPotentialRolesPerSession = 2);
        var variables = Variables(environment);
        variables["RoleMining__Sweep__SessionIds__0"] = environment.CompleteSession.Id;
        variables["RoleMining__Sweep__SessionIds__1"] = UnknownSessionId;

        var result = await ChildProcess.RunCliAsync(option is null ? [command, "--out", "exports"] : [command, option, "--out", "exports"], variables, environment.Directory.Path);

        result.AssertGot(OperatorMistakeCatalog.UnknownSession);
        Assert.Contains(UnknownSessionId, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("RoleMining:Sweep:SessionIds", result.ErrorLines[0], StringComparison.Ordinal);
        Assert.Equal(0, environment.Server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task A_second_run_into_a_folder_in_use_says_which_process_holds_it_and_since_when()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        var session = environment.CompleteSession;
        var variables = Variables(environment);
        string[] args = ["export", "--session", session.Id, "--role", session.PotentialRoles[0].Id, "--out", "exports"];
        var waiting = new TaskCompletionSource<Action>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = ChildProcess.RunCliAsync(args, variables, environment.Directory.Path, (line, terminate) =>
        {
            if (line.Contains("waiting for SailPoint", StringComparison.Ordinal))
            {
                waiting.TrySetResult(terminate);
            }
        });
        var terminateFirst = await waiting.Task.WaitAsync(TimeSpan.FromMinutes(2));

        var second = await ChildProcess.RunCliAsync(args, variables, environment.Directory.Path);
        terminateFirst();
        var firstResult = await first;

        second.AssertGot(OperatorMistakeCatalog.FolderInUse);
        var line = Assert.Single(second.ErrorLines);
        Assert.Matches(@"process \d+", line);
        Assert.Contains("since ", line, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Cancelled, firstResult.ExitCode);
        Assert.Equal(1, environment.Server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task A_full_disk_fails_with_the_reason_and_a_rerun_with_space_reuses_the_finished_SailPoint_exports()
    {
        // A real full disk: a 160 KB tmpfs (Linux, as root, as CI runs). Elsewhere the Exports tests cover the same
        // behaviour with an artifact store that throws ENOSPC.
        await using var environment = await ExportTestEnvironment.StartAsync();
        var mount = environment.Directory.Combine("small-disk");
        Directory.CreateDirectory(mount);
        if (!OperatingSystem.IsLinux() || Run("mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", mount) != 0)
        {
            return;
        }

        try
        {
            var session = environment.CompleteSession;
            var variables = Variables(environment);
            variables["RoleMining__Sweep__SessionIds__0"] = session.Id;
            string[] args = ["export", "--all", "--out", Path.Combine(mount, "exports")];

            var full = await ChildProcess.RunCliAsync(args, variables, environment.Directory.Path);
            Assert.Equal(0, Run("mount", "-o", "remount,size=64m", mount));
            var rerun = await ChildProcess.RunCliAsync(args, variables, environment.Directory.Path);

            full.AssertGot(OperatorMistakeCatalog.DiskFull);
            Assert.DoesNotContain("Check that SailPoint is reachable", full.Error, StringComparison.Ordinal);
            rerun.AssertGot(OperatorMistakeCatalog.DiskFullRerun);
            foreach (var role in session.PotentialRoles)
            {
                var folders = Directory.GetDirectories(Path.Combine(mount, "exports", session.Id, role.Id)).Where(folder => File.Exists(Path.Combine(folder, "manifest.json")));
                Assert.Single(folders);
                Assert.Equal(1, environment.Server.Statistics.ExportCreationsFor(session.Id, role.Id));
            }

            Assert.Empty(Directory.GetFiles(Path.Combine(mount, "exports", ".jobs"), "*.tmp"));
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    [Fact]
    public async Task A_temporary_job_file_left_by_a_killed_run_is_removed_by_the_next_run()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var jobs = Path.Combine(environment.OutDirectory, ".jobs");
        Directory.CreateDirectory(jobs);
        var leftover = Path.Combine(jobs, "0123456789abcdef0123456789abcdef.json.fedcba9876543210fedcba9876543210.tmp");
        await File.WriteAllTextAsync(leftover, "{ \"half");

        var result = await environment.CreateRunner().RunAsync("export", "-s", session.Id, "-r", session.PotentialRoles[0].Id, "-o", "exports");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.False(File.Exists(leftover));
        Assert.Empty(Directory.GetFiles(jobs, "*.tmp"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Exported_files_are_for_the_owner_only_by_default_on_Unix()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;

        var result = await environment.CreateRunner().RunAsync("export", "-s", session.Id, "-r", session.PotentialRoles[0].Id, "-o", "exports");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var files = Directory.GetFiles(environment.OutDirectory, "*", SearchOption.AllDirectories);
        Assert.Contains(files, file => file.EndsWith("identities.csv", StringComparison.Ordinal));
        Assert.All(files, file => Assert.True((File.GetUnixFileMode(file) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) == 0, $"{file} is {File.GetUnixFileMode(file)}"));
        var folders = Directory.GetDirectories(environment.OutDirectory, "*", SearchOption.AllDirectories).Append(environment.OutDirectory);
        Assert.All(folders, folder => Assert.True((File.GetUnixFileMode(folder) & (UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute)) == 0, $"{folder} is {File.GetUnixFileMode(folder)}"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_setting_widens_who_may_read_exported_files()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;

        var result = await environment.CreateRunner()
            .With("RoleMining__Exports__FileSystem__Access", "Group")
            .RunAsync("export", "-s", session.Id, "-r", session.PotentialRoles[0].Id, "-o", "exports");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var csv = Directory.GetFiles(environment.OutDirectory, "identities.csv", SearchOption.AllDirectories).Single();
        Assert.True(File.GetUnixFileMode(csv).HasFlag(UnixFileMode.GroupRead), File.GetUnixFileMode(csv).ToString());
        Assert.False(File.GetUnixFileMode(csv).HasFlag(UnixFileMode.OtherRead), File.GetUnixFileMode(csv).ToString());
    }

    private static Dictionary<string, string> Variables(ExportTestEnvironment environment) => new()
    {
        ["SAIL_BASE_URL"] = environment.Server.BaseAddress.ToString(),
        ["SAIL_CLIENT_ID"] = environment.Server.Options.ClientId,
        ["SAIL_CLIENT_SECRET"] = environment.Server.Options.ClientSecret,
        ["SailPoint__RateLimit__Enabled"] = "false",
        ["SailPoint__Retry__BaseDelay"] = "00:00:00.050",
        ["RoleMining__Exports__Polling__InitialDelay"] = "00:00:00.100",
        ["RoleMining__Exports__Polling__MaxDelay"] = "00:00:00.400",
        ["RoleMining__Exports__RetryBaseDelay"] = "00:00:00.050",
    };

    private static int Run(string program, params string[] args)
    {
        try
        {
            using var process = System.Diagnostics.Process.Start(new ProcessStartInfo(program, args) { UseShellExecute = false, RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
