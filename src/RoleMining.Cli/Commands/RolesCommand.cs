using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using RoleMining.Api.Validation;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Output;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.Cli.Commands;

/// <summary><c>rolemining roles list --session ID</c>: the potential roles of a session.</summary>
internal static class RolesCommand
{
    internal static readonly IReadOnlyList<RecordColumn<PotentialRoleSummary>> Columns =
    [
        new("id", role => role.Id),
        new("name", role => role.Name),
        new("identityCount", role => Formatting.Number(role.IdentityCount)),
        new("entitlementCount", role => Formatting.Number(role.EntitlementCount)),
        new("density", role => Formatting.Number(role.Density)),
        new("freshness", role => Formatting.Number(role.Freshness)),
        new("quality", role => Formatting.Number(role.Quality)),
        new("type", role => Formatting.Enum(role.Type)),
        new("provisionState", role => Formatting.Enum(role.ProvisionState)),
        new("saved", role => Formatting.Boolean(role.Saved)),
    ];

    private static JsonTypeInfo<PotentialRoleSummary> TypeInfo =>
        (JsonTypeInfo<PotentialRoleSummary>)RoleMiningJson.Options.GetTypeInfo(typeof(PotentialRoleSummary));

    public static Command Create(CommandExecution execution)
    {
        var command = new Command("roles", "Potential roles of a role-mining session.");
        command.Subcommands.Add(CreateList(execution));
        return command;
    }

    private static Command CreateList(CommandExecution execution)
    {
        var session = CommonOptions.Session(required: true);
        return ListingCommand.Create(
            execution,
            "list",
            "List the potential roles of a session.",
            "'createdById eq \"...\"'",
            "'createdDate' or '-createdDate' (the only sorter ISC supports here)",
            [session],
            (run, parseResult, request, token) =>
            {
                request.Validate(SailPointCollections.PotentialRoleSummaries);
                return ListingCommand.WriteAsync(
                    run,
                    request,
                    "potential roles",
                    TypeInfo,
                    _ => Columns,
                    query => run.Client.GetPotentialRoleSummariesAsync(parseResult.GetRequiredValue(session), query, token),
                    token);
            });
    }
}
