using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RoleMining.Cli.Exports;
using RoleMining.Cli.Hosting;
using RoleMining.Exports;
using RoleMining.SailPoint.Models;

namespace RoleMining.Cli.Commands;

/// <summary>
/// <c>rolemining export</c>: exports potential roles (SailPoint <c>export-async</c>, poll, download, verify, unpack) into a
/// folder, with the workflow running in this process, and waits until every export ended.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CommandExecution execution)
    {
        var session = CommonOptions.Session(required: false);
        session.Description = "The role-mining session whose potential roles to export (all of them unless --role is given).";
        var roles = CommonOptions.SailPointIds(new Option<string[]>("--role", "-r")
        {
            Description = "A potential role to export (repeatable). Needs --session.",
            HelpName = "ID",
            AllowMultipleArgumentsPerToken = false,
        });
        var all = new Option<bool>("--all")
        {
            Description = "Every potential role: of --session, or without it of every session the sweep selects (RoleMining:Sweep; default: sessions in state POTENTIAL_ROLES_CREATED).",
        };
        var outDirectory = OutDirectory();
        var blobContainer = BlobContainer();
        var minPopularity = new Option<int?>("--min-popularity")
        {
            Description = "Leave out entitlements less popular than N percent in the role (0-100).",
            HelpName = "N",
        };
        minPopularity.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[^1].Value, out var value) && value is < 0 or > 100)
            {
                result.AddError($"--min-popularity must be between 0 and 100, not {value}.");
            }
        });
        // A string parsed here, not a bool?: the library leaves a word that is no boolean ('maybe') after a boolean option
        // and reports it as an unrecognized argument, without naming the option.
        var includeCommonAccess = new Option<string?>("--include-common-access")
        {
            Description = "Include (the bare option, or true) or leave out (false) entitlements highly popular in the whole organisation. Default: SailPoint's.",
            HelpName = "true|false",
            Arity = ArgumentArity.ZeroOrOne,
        };
        includeCommonAccess.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !bool.TryParse(result.Tokens[^1].Value, out _))
            {
                result.AddError($"--include-common-access takes true or false (or no value, meaning true), not '{result.Tokens[^1].Value}'.");
            }
        });

        var command = new Command(
            "export",
            "Export potential roles to --out: zip, unpacked CSV files and manifest.json per export. Waits for every export, prints a summary, "
            + "and exits with 1 when any failed. Run it again after Ctrl+C or a failure: finished exports are kept, interrupted ones resume, failed ones are retried.")
        {
            session,
            roles,
            all,
            outDirectory,
            blobContainer,
            minPopularity,
            includeCommonAccess,
        };
        command.Validators.Add(result =>
        {
            // Tokens, not GetValue: GetValue throws for an option given without its value ('--session' last). That is
            // the library's usage error to report ("Required argument missing"), not a reason to ask what to export.
            if (result.GetResult(session) is { Tokens.Count: 0, Implicit: false } || result.GetResult(roles) is { Tokens.Count: 0, Implicit: false })
            {
                return;
            }

            var hasSession = result.GetResult(session) is { Tokens.Count: > 0 };
            var hasRoles = result.GetResult(roles) is { Tokens.Count: > 0 };
            var hasAll = result.GetValue(all);
            if (hasRoles && hasAll)
            {
                result.AddError("Give either --role or --all, not both.");
            }
            else if (hasRoles && !hasSession)
            {
                result.AddError("--role needs --session.");
            }
            else if (!hasSession && !hasAll)
            {
                result.AddError("Say what to export: --session ID (with --role ID or --all), or --all for every session the sweep selects.");
            }
        });

        command.SetAction((parseResult, cancellationToken) =>
        {
            var outValue = parseResult.GetValue(outDirectory);
            var blobValue = parseResult.GetValue(blobContainer);
            var options = new ExportRequestOptions
            {
                MinEntitlementPopularity = parseResult.GetValue(minPopularity),
                IncludeCommonAccess = parseResult.GetResult(includeCommonAccess) is { } given
                    ? given.Tokens.Count == 0 || bool.Parse(given.Tokens[^1].Value)
                    : null,
            };
            // One spelling per id, so that a rerun typed in capitals finds the jobs and the export of the first run.
            var sessionId = parseResult.GetValue(session) is { } sessionGiven ? CommonOptions.NormalizeId(sessionGiven) : null;
            var roleIds = (parseResult.GetValue(roles) ?? []).Select(CommonOptions.NormalizeId).ToArray();
            return execution.RunAsync(
                parseResult,
                (run, token) =>
                {
                    var export = new ExportSession(run, ArtifactRootOf(run), "export");
                    return export.RunAsync(
                        prepareToken => PrepareAsync(run, export, sessionId, roleIds, options, prepareToken),
                        token);
                },
                cancellationToken,
                preflight: _ =>
                {
                    RequireUsableDirectory(execution.Context, outValue);
                    BlobArtifactContainer.RequireValidArgument(blobValue);
                },
                addServices: ExportSession.Services(execution.Context, outValue, blobValue));
        });
        return command;
    }

    /// <summary><c>--out DIR</c>, shared with <c>sweep</c> and <c>serve</c> (which has no <c>--blob-container</c>).</summary>
    internal static Option<string?> OutDirectory(bool withBlobContainer = true) => new("--out", "-o")
    {
        Description = $"The folder for artifacts and job documents (.jobs{(withBlobContainer ? "; only these with --blob-container" : string.Empty)}). Default: RoleMining:Exports:FileSystem:ArtifactRoot, else ./{ExportSettings.DefaultOutputDirectory}.",
        HelpName = "DIR",
    };

    /// <summary><c>--blob-container URL|NAME</c>, shared with <c>sweep</c>.</summary>
    internal static Option<string?> BlobContainer() => new("--blob-container")
    {
        Description = "Write artifacts to this Azure Blob container instead of --out (which keeps the job documents): its URL, https://ACCOUNT.blob.core.windows.net/CONTAINER, "
            + "signed in with your Entra identity (az login, managed identity, AZURE_* variables); or its name in the account of RoleMining:Exports:Blob:ConnectionString. "
            + "Default: RoleMining:Exports:Blob:Container.",
        HelpName = "URL|NAME",
    };

    /// <summary>An output folder that is a file would only fail later, mid-run.</summary>
    internal static void RequireUsableDirectory(CliContext context, string? outDirectory)
    {
        if (outDirectory is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(outDirectory))
        {
            throw CliException.Usage("--out needs a folder.");
        }

        if (outDirectory == "-")
        {
            // '-' is standard output for the listings; an export is a folder of files.
            throw CliException.Usage("--out '-' is standard output, which takes no export: give a folder.");
        }

        if (context.IsUnexpandedHome(outDirectory))
        {
            // It would create a folder named '~' here.
            throw CliException.Usage($"--out '{outDirectory}': {CliContext.UnexpandedHomeNote("--out", outDirectory)}.");
        }

        if (FolderProblem(context.ResolvePath(outDirectory)) is { } problem)
        {
            throw CliException.Usage($"--out '{outDirectory}' {problem}.");
        }
    }

    /// <summary>
    /// Why <paramref name="folder"/> (a full path) cannot be the export folder, or null: a file where it or one of its
    /// missing parents belongs would fail only when the first job is stored, as a file error that does not say which setting.
    /// </summary>
    internal static string? FolderProblem(string folder)
    {
        if (File.Exists(folder))
        {
            return IsDanglingLink(folder, out var target)
                ? $"is a symbolic link to '{target}', which does not exist; create that folder or give another"
                : "is a file; give a folder";
        }

        for (var parent = Path.GetDirectoryName(folder); !string.IsNullOrEmpty(parent) && !Directory.Exists(parent); parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
            {
                return IsDanglingLink(parent, out var target)
                    ? $"is below '{parent}', a symbolic link to '{target}', which does not exist"
                    : $"is below '{parent}', which is a file, not a folder";
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="path"/> is a symbolic link whose target is missing (File.Exists is true for it).</summary>
    private static bool IsDanglingLink(string path, out string? target)
    {
        target = new FileInfo(path).LinkTarget;
        return target is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is { Exists: false };
    }

    internal static string ArtifactRootOf(CliRun run) =>
        run.Services.GetRequiredService<IOptions<ExportWorkflowOptions>>().Value.FileSystem.ArtifactRoot!;

    private static async Task<IReadOnlyList<string>> PrepareAsync(
        CliRun run, ExportSession export, string? sessionId, string[] roleIds, ExportRequestOptions options, CancellationToken cancellationToken)
    {
        var candidates = new List<SweepCandidate>();
        if (sessionId is not null && roleIds.Length > 0)
        {
            candidates.AddRange(roleIds.Select(roleId => new SweepCandidate(sessionId, roleId)));
        }
        else if (sessionId is not null)
        {
            // Fails with the service's 404 (exit code 1) for an unknown session.
            await run.Client.GetSessionAsync(sessionId, cancellationToken);
            await foreach (var role in run.Client.GetPotentialRoleSummariesAsync(sessionId, null, cancellationToken))
            {
                if (role.Id is { } id && ExportJobIds.IsSafeSegment(id))
                {
                    candidates.Add(new SweepCandidate(sessionId, id));
                }
            }

            if (candidates.Count == 0)
            {
                await run.Console.Output.WriteLineAsync($"Session {sessionId} has no potential roles.");
            }
        }
        else
        {
            var selection = SweepCommand.ReadSelection(run, options);
            var plan = SweepCommand.RequireKnownSessions(await export.Planner.PlanAsync(selection, cancellationToken));
            await SweepCommand.ReportEmptySelectionAsync(run, plan);
            // Every role of the selected sessions, in the order SailPoint lists the sessions. The plan's split into roles to
            // start and roles covered does not count here: it ignores the export parameters, PrepareAsync does not.
            var sessionOrder = plan.SessionIds.Select((id, index) => (id, index)).ToDictionary(pair => pair.id, pair => pair.index, StringComparer.Ordinal);
            candidates.AddRange(plan.ToStart.Select(planned => new SweepCandidate(planned.SessionId, planned.PotentialRoleId))
                .Concat(plan.Covered.Select(covered => new SweepCandidate(covered.SessionId, covered.PotentialRoleId)))
                .OrderBy(candidate => sessionOrder.GetValueOrDefault(candidate.SessionId, int.MaxValue)));
        }

        return await export.PrepareAsync(candidates, options, cancellationToken);
    }
}
