using System.Text.Json;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Tests.Infrastructure;
using RoleMining.Emulator;

namespace RoleMining.Cli.Tests.Exports;

public sealed class ExportCommandTests
{
    [Fact]
    public async Task Exporting_two_roles_stores_verified_artifacts_matching_the_tenant_and_exits_0()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var roles = session.PotentialRoles.Take(2).ToList();

        var result = await environment.CreateRunner().RunAsync(
            "export", "--session", session.Id, "--role", roles[0].Id, "--role", roles[1].Id, "--out", "exports");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        foreach (var role in roles)
        {
            var folder = Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
            Assert.True(File.Exists(Path.Combine(folder, "export.zip")));
            Assert.True(File.Exists(Path.Combine(folder, "entitlements.csv")));
            var identities = Csv.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "identities.csv"))).Rows;
            Assert.Equal(environment.Server.Tenant.GetIdentities(role).Select(identity => identity.Id), identities.Select(row => row["id"]));
            Assert.Equal(1, environment.Server.Statistics.ExportCreationsFor(session.Id, role.Id));

            // The summary has one row per export, with its state and the rows counted from the CSV files.
            var line = Assert.Single(result.OutputLines, line => line.Contains(role.Id, StringComparison.Ordinal) && line.Contains("Succeeded", StringComparison.Ordinal));
            Assert.Contains(session.Id, line, StringComparison.Ordinal);
        }

        Assert.Contains("2 succeeded, 0 failed.", result.Output, StringComparison.Ordinal);
        Assert.Equal(2, environment.Server.Statistics.ExportCreations);
    }

    [Theory]
    [InlineData("exports/")]
    [InlineData("./exports//")]
    public async Task An_out_folder_given_with_a_trailing_separator_is_the_same_folder(string outFolder)
    {
        // As a shell's completion writes it: every file once failed to resolve as "leaving the artifact root".
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];

        var result = await environment.CreateRunner().RunAsync("export", "--session", session.Id, "--role", role.Id, "--out", outFolder);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var folder = Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
        Assert.True(File.Exists(Path.Combine(folder, "identities.csv")));
        Assert.Single(environment.JobDocuments());
    }

    [Fact]
    public async Task A_rerun_keeps_finished_exports_and_starts_no_new_SailPoint_export()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];
        var runner = environment.CreateRunner();
        string[] args = ["export", "-s", session.Id, "-r", role.Id, "-o", "exports"];

        var first = await runner.RunAsync(args);
        var second = await runner.RunAsync(args);

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
        Assert.Equal(1, environment.Server.Statistics.ExportCreations);
        Assert.Contains("1 succeeded, 0 failed.", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rerun_with_the_ids_in_capitals_finds_the_finished_export_instead_of_starting_another()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];
        var runner = environment.CreateRunner();

        var first = await runner.RunAsync("export", "-s", session.Id, "-r", role.Id, "-o", "exports");
        var second = await runner.RunAsync("export", "-s", session.Id.ToUpperInvariant(), "-r", role.Id.ToUpperInvariant(), "-o", "exports");

        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());
        Assert.True(second.ExitCode == ExitCodes.Success, second.ToString());
        Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
        Assert.Equal(1, environment.Server.Statistics.ExportCreations);
        Assert.Equal([session.Id], System.IO.Directory.GetDirectories(environment.OutDirectory).Select(Path.GetFileName).Where(name => !name!.StartsWith('.')));
    }

    [Theory]
    [InlineData(false, "--include-common-access", "false")]
    [InlineData(true, "--include-common-access")]
    [InlineData(true, "--include-common-access=TRUE")]
    public async Task Export_of_a_session_without_roles_named_exports_every_role_with_the_given_parameters(bool includeCommonAccess, params string[] commonAccess)
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Tenant.MaxPotentialRolesPerSession = 3);
        var session = environment.CompleteSession;

        var result = await environment.CreateRunner().RunAsync(["export", "--session", session.Id, .. commonAccess, "--min-popularity", "40"]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.NotEmpty(session.PotentialRoles);
        foreach (var role in session.PotentialRoles)
        {
            var folder = Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")));
            var options = manifest.RootElement.GetProperty("options");
            Assert.Equal(40, options.GetProperty("minEntitlementPopularity").GetInt32());
            Assert.Equal(includeCommonAccess, options.GetProperty("includeCommonAccess").GetBoolean());
        }
    }

    [Fact]
    public async Task Exports_that_end_in_ERROR_exit_with_1_and_list_each_failure_with_its_reason()
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Faults.Default.ExportErrorShare = 1);
        var session = environment.CompleteSession;
        var roles = session.PotentialRoles.Take(2).ToList();

        var result = await environment.CreateRunner().RunAsync("export", "-s", session.Id, "-r", roles[0].Id, "-r", roles[1].Id);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        foreach (var role in roles)
        {
            var failure = Assert.Single(result.ErrorLines, line => line.StartsWith("Export failed:", StringComparison.Ordinal) && line.Contains(role.Id, StringComparison.Ordinal));
            Assert.Contains("ERROR", failure, StringComparison.Ordinal);
            Assert.Empty(environment.CompleteJobFolders(session.Id, role.Id));
        }

        Assert.Contains("0 succeeded, 2 failed.", result.Output, StringComparison.Ordinal);
        Assert.All(environment.JobDocuments(), job => Assert.Equal("Failed", job.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_failure_reason_names_the_setting_to_change_as_the_command_line_reads_it()
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Exports.InProgressFor = TimeSpan.FromMinutes(5));
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];

        var result = await environment.CreateRunner()
            .With("RoleMining__Exports__Polling__TotalWait", "00:00:01")
            .RunAsync("export", "-s", session.Id, "-r", role.Id);

        // The workflow says 'raise Exports:Polling:TotalWait', the Functions app's key; here it is under RoleMining.
        var failure = Assert.Single(result.ErrorLines, line => line.StartsWith("Export failed:", StringComparison.Ordinal));
        Assert.Contains("raise RoleMining:Exports:Polling:TotalWait", failure, StringComparison.Ordinal);
        Assert.Contains("RoleMining:Exports:Polling:TotalWait", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_SailPoint_refuses_to_start_exits_with_1_saying_what_to_mend_before_running_again()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var session = environment.CompleteSession;
        const string unknownRole = "0badc0de-0000-4000-8000-000000000000";

        var result = await environment.CreateRunner().RunAsync("export", "-s", session.Id, "-r", unknownRole);

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        Assert.Single(result.ErrorLines, line => line.StartsWith("Export failed:", StringComparison.Ordinal) && line.Contains(unknownRole, StringComparison.Ordinal));
        Assert.Contains("SailPoint refused to start these exports", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Run the same command again to retry", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exports_that_fail_only_for_want_of_SailPoint_exit_with_4_and_say_to_run_again()
    {
        // Every download's connection is reset: SailPoint cannot be reached for the zip, whatever the retries.
        await using var environment = await ExportTestEnvironment.StartAsync(options =>
            options.Faults.Routes[OperationIds.DownloadRoleMiningPotentialRoleZip] = new EmulatorRouteFaultOptions { ConnectionResetShare = 1 });
        var session = environment.CompleteSession;
        var role = session.PotentialRoles[0];

        var result = await environment.CreateRunner()
            .With("RoleMining__Exports__TransientRetry__InitialDelay", "00:00:00.050")
            .With("RoleMining__Exports__TransientRetry__MaxDelay", "00:00:00.100")
            .RunAsync("export", "-s", session.Id, "-r", role.Id);

        Assert.True(result.ExitCode == ExitCodes.Unreachable, result.ToString());
        Assert.Single(result.ErrorLines, line => line.StartsWith("Export failed:", StringComparison.Ordinal) && line.Contains(role.Id, StringComparison.Ordinal));
        // Said once, in the command's words: not again as the workflow's log line ("... is poison after 5 attempt(s)").
        Assert.Single(result.ErrorLines, line => line.Contains(role.Id, StringComparison.Ordinal));
        Assert.DoesNotContain(result.ErrorLines, line => line.Contains("poison", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Run the same command again to retry", result.Error, StringComparison.Ordinal);
        Assert.Empty(environment.CompleteJobFolders(session.Id, role.Id));
    }

    [Fact]
    public async Task Cancelling_exits_with_130_leaves_nothing_that_looks_complete_and_a_rerun_resumes_the_same_exports()
    {
        // A slow export clock: every export is still running when the test cancels.
        await using var environment = await ExportTestEnvironment.StartAsync(options =>
        {
            options.Exports.QueuedFor = TimeSpan.FromSeconds(2);
            options.Exports.InProgressFor = TimeSpan.FromSeconds(1);
        });
        var session = environment.CompleteSession;
        var roles = session.PotentialRoles.Take(3).ToList();
        string[] args = ["export", "-s", session.Id, .. roles.SelectMany(role => new[] { "-r", role.Id })];
        var runner = environment.CreateRunner();

        // Cancel once SailPoint accepted every export (each job has reached polling): the point of "resume".
        using var cancellation = new CancellationTokenSource();
        var waiting = new HashSet<string>(StringComparer.Ordinal);
        var cancelled = await runner.RunAsync(args, cancellation.Token, line =>
        {
            if (line.Contains("waiting for SailPoint", StringComparison.Ordinal))
            {
                lock (waiting)
                {
                    // "[  0.4s] {session}/{role}: waiting for SailPoint (QUEUED)"
                    waiting.Add(line.Split(' ').First(token => token.Contains('/', StringComparison.Ordinal) && token.EndsWith(':')));
                    if (waiting.Count == roles.Count)
                    {
                        // Not inline: the writer is called from the command's own threads.
                        _ = cancellation.CancelAsync();
                    }
                }
            }
        });

        Assert.Equal(ExitCodes.Cancelled, cancelled.ExitCode);
        Assert.Contains(cancelled.ErrorLines, line => line.StartsWith("Cancelled.", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", cancelled.Error, StringComparison.Ordinal);
        Assert.All(roles, role => Assert.Empty(environment.CompleteJobFolders(session.Id, role.Id)));
        var exportIdsBefore = environment.JobDocuments().ToDictionary(job => job.GetProperty("potentialRoleId").GetString()!, job => job.GetProperty("exportId").GetString());
        Assert.Equal(roles.Count, exportIdsBefore.Count);
        Assert.All(exportIdsBefore.Values, Assert.NotNull);

        var rerun = await runner.RunAsync(args);

        Assert.True(rerun.ExitCode == ExitCodes.Success, rerun.ToString());
        foreach (var role in roles)
        {
            Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
            // Resumed, not started again: the job kept its SailPoint export, and SailPoint saw one export per role.
            Assert.Equal(1, environment.Server.Statistics.ExportCreationsFor(session.Id, role.Id));
        }

        var exportIdsAfter = environment.JobDocuments().ToDictionary(job => job.GetProperty("potentialRoleId").GetString()!, job => job.GetProperty("exportId").GetString());
        Assert.Equal(exportIdsBefore, exportIdsAfter);
    }

    [Fact]
    public async Task A_rerun_takes_over_the_leases_a_killed_run_left_at_once_rather_than_waiting_them_out()
    {
        // A killed run leaves its jobs leased (here: for an hour, as a long lease would); the folder's lock says that run
        // is gone, so the rerun must not wait for the leases to run out.
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromSeconds(1));
        var session = environment.CompleteSession;
        var roles = session.PotentialRoles.Take(2).ToList();
        string[] args = ["export", "-s", session.Id, .. roles.SelectMany(role => new[] { "-r", role.Id })];
        var runner = environment.CreateRunner();
        var cancelled = await CancelOnceWaitingAsync(runner, args, roles.Count);
        Assert.Equal(ExitCodes.Cancelled, cancelled.ExitCode);
        var leasedUntil = DateTimeOffset.UtcNow.AddHours(1);
        foreach (var file in Directory.GetFiles(Path.Combine(environment.OutDirectory, ".jobs"), "*.json"))
        {
            var job = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            job["lease"] = new System.Text.Json.Nodes.JsonObject { ["leaseId"] = "killed-run", ["expiresAt"] = leasedUntil.ToString("O") };
            await File.WriteAllTextAsync(file, job.ToJsonString());
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var rerun = await runner.RunAsync(args, patience.Token);

        Assert.True(rerun.ExitCode == ExitCodes.Success, rerun.ToString());
        Assert.All(roles, role => Assert.Single(environment.CompleteJobFolders(session.Id, role.Id)));
        Assert.All(roles, role => Assert.Equal(1, environment.Server.Statistics.ExportCreationsFor(session.Id, role.Id)));
    }

    [Fact]
    public async Task A_rerun_whose_earlier_exports_are_gone_shows_them_starting_again_not_failed()
    {
        // The first run's exports live in one emulator; the rerun meets another (as after a restart of the built-in one),
        // which knows none of them.
        await using var first = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        await using var second = await ExportTestEnvironment.StartAsync();
        var session = first.CompleteSession;
        var roles = session.PotentialRoles.Take(2).ToList();
        string[] args = ["export", "-s", session.Id, .. roles.SelectMany(role => new[] { "-r", role.Id }), "--out", first.OutDirectory];
        var cancelled = await CancelOnceWaitingAsync(first.CreateRunner(), args, roles.Count);

        var rerun = await second.CreateRunner().RunAsync(args);

        Assert.Equal(ExitCodes.Cancelled, cancelled.ExitCode);
        Assert.True(rerun.ExitCode == ExitCodes.Success, rerun.ToString());
        Assert.DoesNotContain(rerun.OutputLines, line => line.EndsWith(": failed", StringComparison.Ordinal));
        Assert.Equal(roles.Count, rerun.OutputLines.Count(line => line.EndsWith(": could not be continued; starting again", StringComparison.Ordinal)));
        Assert.Contains($"{roles.Count} export(s) of an earlier run could not be continued; starting them again.", rerun.OutputLines);
        Assert.Equal(roles.Count, rerun.OutputLines.Count(line => line.EndsWith(": succeeded", StringComparison.Ordinal)));
        Assert.All(roles, role => Assert.Single(first.CompleteJobFolders(session.Id, role.Id)));
    }

    [Fact]
    public async Task A_rerun_cancelled_before_it_could_start_a_gone_export_again_reports_it_unfinished_not_failed()
    {
        // As above, but the rerun also has a new export (the second emulator's exports stay queued), and it is cancelled
        // as it says it starts the gone one again, before the new job for it was created.
        await using var first = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        await using var second = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        var session = first.CompleteSession;
        var roles = session.PotentialRoles.Take(2).ToList();
        string[] Args(IEnumerable<TenantPotentialRole> some) => ["export", "-s", session.Id, .. some.SelectMany(role => new[] { "-r", role.Id }), "--out", first.OutDirectory];
        await CancelOnceWaitingAsync(first.CreateRunner(), Args(roles.Take(1)), 1);

        using var rerunCancellation = new CancellationTokenSource();
        var rerun = await second.CreateRunner().RunAsync(Args(roles), rerunCancellation.Token, line =>
        {
            if (line == "1 export(s) of an earlier run could not be continued; starting them again.")
            {
                rerunCancellation.Cancel();
            }
        });

        Assert.True(rerun.ExitCode == ExitCodes.Cancelled, rerun.ToString());
        Assert.Equal(0, second.Server.Statistics.ExportCreationsFor(session.Id, roles[0].Id));
        Assert.DoesNotContain(rerun.ErrorLines, line => line.StartsWith("Export failed:", StringComparison.Ordinal));
        Assert.Contains(rerun.OutputLines, line => line.StartsWith("0 succeeded, 0 failed, 2 unfinished.", StringComparison.Ordinal));
        Assert.Single(rerun.OutputLines, line => line.Contains($" {RoleMining.Cli.Exports.ExportSummary.StartsAgainState} ", StringComparison.Ordinal) && line.Contains("SailPoint no longer knows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rerun_starts_the_gone_exports_again_while_its_other_exports_still_run()
    {
        // The rerun's new export stays queued at SailPoint for minutes; the two gone ones must not wait for it.
        await using var first = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        await using var second = await ExportTestEnvironment.StartAsync(options => options.Exports.QueuedFor = TimeSpan.FromMinutes(5));
        var session = first.CompleteSession;
        var roles = session.PotentialRoles.Take(3).ToList();
        string[] Args(IEnumerable<TenantPotentialRole> some) => ["export", "-s", session.Id, .. some.SelectMany(role => new[] { "-r", role.Id }), "--out", first.OutDirectory];
        await CancelOnceWaitingAsync(first.CreateRunner(), Args(roles.Take(2)), 2);

        using var rerunCancellation = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        bool Restarted(TenantPotentialRole role) => second.Server.Statistics.ExportCreationsFor(session.Id, role.Id) == 1;
        var rerun = await second.CreateRunner().RunAsync(Args(roles), rerunCancellation.Token, line =>
        {
            if (line.Contains("waiting for SailPoint", StringComparison.Ordinal) && roles.Take(2).All(Restarted))
            {
                _ = rerunCancellation.CancelAsync();
            }
        });

        Assert.True(rerun.ExitCode == ExitCodes.Cancelled, rerun.ToString());
        Assert.All(roles, role => Assert.Equal(1, second.Server.Statistics.ExportCreationsFor(session.Id, role.Id)));
        Assert.Contains("2 export(s) of an earlier run could not be continued; starting them again.", rerun.OutputLines);
        Assert.Contains(rerun.OutputLines, line => line.StartsWith("0 succeeded, 0 failed, 3 unfinished.", StringComparison.Ordinal));
        Assert.DoesNotContain(rerun.OutputLines, line => line.Contains("SailPoint no longer knows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_all_follows_the_sweep_selection_and_sweep_then_finds_nothing_new()
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Tenant.MaxPotentialRolesPerSession = 3);
        var session = environment.CompleteSession;
        var runner = environment.CreateRunner().With("RoleMining__Sweep__SessionIds__0", session.Id);

        var export = await runner.RunAsync("export", "--all");
        var sweep = await runner.RunAsync("sweep");

        Assert.True(export.ExitCode == ExitCodes.Success, export.ToString());
        foreach (var role in session.PotentialRoles)
        {
            Assert.Single(environment.CompleteJobFolders(session.Id, role.Id));
        }

        Assert.Equal(session.PotentialRoles.Count, environment.Server.Statistics.ExportCreations);
        Assert.True(sweep.ExitCode == ExitCodes.Success, sweep.ToString());
        Assert.Contains($"{session.PotentialRoles.Count} potential role(s) already exported; skipped.", sweep.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing to export.", sweep.Output, StringComparison.Ordinal);
        Assert.Equal(session.PotentialRoles.Count, environment.Server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task Nothing_to_export_says_why_and_leaves_no_new_folder()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var empty = environment.Server.Tenant.Sessions.First(session => session.PotentialRoles.Count == 0);
        var runner = environment.CreateRunner();

        var session = await runner.RunAsync("export", "--session", empty.Id, "--all", "--out", "new-1");
        var noMatch = await runner.With("RoleMining__Sweep__State", "CREATED").With("RoleMining__Sweep__SessionIds", environment.CompleteSession.Id).RunAsync("sweep", "--out", "new-2");
        var noRoles = await environment.CreateRunner().With("RoleMining__Sweep__SessionIds", empty.Id).With("RoleMining__Sweep__State", "any").RunAsync("export", "--all", "--out", "new-3");

        Assert.True(session.ExitCode == ExitCodes.Success, session.ToString());
        Assert.Equal([$"Session {empty.Id} has no potential roles.", "Nothing to export."], session.OutputLines);
        Assert.True(noMatch.ExitCode == ExitCodes.Success, noMatch.ToString());
        Assert.Equal([$"No role-mining session matches RoleMining:Sweep (State CREATED; SessionIds {environment.CompleteSession.Id}).", "Nothing to export."], noMatch.OutputLines);
        Assert.True(noRoles.ExitCode == ExitCodes.Success, noRoles.ToString());
        Assert.Equal(["The 1 session(s) RoleMining:Sweep selects have no potential roles.", "Nothing to export."], noRoles.OutputLines);
        // The folders these runs created (with the lock and .jobs) went again: nothing was exported into them.
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(environment.Directory.Path));
        Assert.Equal(0, environment.Server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task A_run_failing_before_its_first_job_removes_the_folder_it_created_but_not_one_that_existed()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();
        var existing = System.IO.Directory.CreateDirectory(environment.Directory.Combine("existing")).FullName;
        var runner = environment.CreateRunner();

        var created = await runner.RunAsync("export", "--session", "no-such-session", "--all", "--out", "new/below");
        var given = await runner.RunAsync("export", "--session", "no-such-session", "--all", "--out", "existing");

        Assert.Equal(ExitCodes.Failed, created.ExitCode);
        Assert.Contains("no-such-session", created.Error, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(environment.Directory.Combine("new", "below")), "the folder the run created stayed");
        Assert.Equal(ExitCodes.Failed, given.ExitCode);
        Assert.True(System.IO.Directory.Exists(existing));
    }

    [Fact]
    public async Task Sweep_exports_the_selected_sessions()
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Tenant.MaxPotentialRolesPerSession = 2);
        var session = environment.CompleteSession;

        var result = await environment.CreateRunner()
            .With("RoleMining__Sweep__SessionIds__0", session.Id)
            .RunAsync("sweep", "--out", "sweep-output");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        foreach (var role in session.PotentialRoles)
        {
            Assert.True(Directory.Exists(environment.Directory.Combine("sweep-output", session.Id, role.Id)));
        }

        Assert.Contains($"{session.PotentialRoles.Count} succeeded, 0 failed.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_reads_the_session_ids_written_as_one_comma_separated_setting_as_the_Bicep_writes_it()
    {
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Tenant.MaxPotentialRolesPerSession = 2);
        var session = environment.CompleteSession;

        var result = await environment.CreateRunner()
            .With("RoleMining__Sweep__SessionIds", $" {session.Id} ,")
            .RunAsync("sweep", "--out", "sweep-output");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        foreach (var role in session.PotentialRoles)
        {
            Assert.True(Directory.Exists(environment.Directory.Combine("sweep-output", session.Id, role.Id)));
        }

        Assert.Equal(session.PotentialRoles.Count, environment.Server.Statistics.ExportCreations);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("comma-separated")]
    [InlineData("json-array")]
    [InlineData("json-string")]
    public async Task Every_form_of_the_session_ids_selects_each_id_so_an_unknown_one_is_named(string form)
    {
        const string unknown = "0badc0de-0000-4000-8000-000000000000";
        await using var environment = await ExportTestEnvironment.StartAsync(options => options.Tenant.MaxPotentialRolesPerSession = 2);
        var known = environment.CompleteSession.Id;
        var runner = environment.CreateRunner();
        string[] args = ["sweep", "--out", "exports"];
        switch (form)
        {
            case "list":
                runner.With("RoleMining__Sweep__SessionIds__0", known).With("RoleMining__Sweep__SessionIds__1", unknown);
                break;
            case "comma-separated":
                runner.With("RoleMining__Sweep__SessionIds", $"{known},{unknown}");
                break;
            default:
                var value = form == "json-array" ? $"[ \"{known}\", \"{unknown}\" ]" : $"\"{known}; {unknown}\"";
                await File.WriteAllTextAsync(environment.Directory.Combine("sweep.json"), $$"""{ "RoleMining": { "Sweep": { "SessionIds": {{value}} } } }""");
                args = [.. args, "--config", "sweep.json"];
                break;
        }

        var result = await runner.RunAsync(args);

        Assert.Equal(ExitCodes.Failed, result.ExitCode);
        var error = Assert.Single(result.ErrorLines);
        Assert.Contains($"RoleMining:Sweep:SessionIds names '{unknown}', but SailPoint has no role-mining session", error, StringComparison.Ordinal);
        Assert.DoesNotContain(known, error, StringComparison.Ordinal);
        Assert.Equal(0, environment.Server.Statistics.ExportCreations);
    }

    [Fact]
    public async Task An_unknown_session_state_in_the_sweep_settings_is_a_configuration_error()
    {
        await using var environment = await ExportTestEnvironment.StartAsync();

        var result = await environment.CreateRunner().With("RoleMining__Sweep__State", "DONE").RunAsync("sweep");

        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("RoleMining:Sweep:State", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>Runs <paramref name="args"/> and cancels it (Ctrl+C) once <paramref name="exports"/> exports wait for SailPoint.</summary>
    private static async Task<CliResult> CancelOnceWaitingAsync(CliRunner runner, string[] args, int exports)
    {
        using var cancellation = new CancellationTokenSource();
        var waiting = 0;
        return await runner.RunAsync(args, cancellation.Token, line =>
        {
            if (line.Contains("waiting for SailPoint", StringComparison.Ordinal) && Interlocked.Increment(ref waiting) == exports)
            {
                _ = cancellation.CancelAsync();
            }
        });
    }
}
