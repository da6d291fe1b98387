using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using RoleMining.Api.Validation;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Output;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Models;
using RoleMining.SailPoint.Serialization;

namespace RoleMining.Cli.Commands;

/// <summary>
/// <c>rolemining identities --session ID --role ID</c>: the identities of a potential role, streamed page by page.
/// Table and CSV columns are <c>id</c>, <c>name</c>, then every attribute name found on the first page, in the order first
/// seen: a streamed file cannot grow a column later. An attribute that first appears on a later page is reported once on
/// standard error; <c>--format json</c> keeps every attribute of every identity.
/// </summary>
internal static class IdentitiesCommand
{
    private static JsonTypeInfo<RoleMiningIdentity> TypeInfo =>
        (JsonTypeInfo<RoleMiningIdentity>)RoleMiningJson.Options.GetTypeInfo(typeof(RoleMiningIdentity));

    public static Command Create(CommandExecution execution)
    {
        var session = CommonOptions.Session(required: true);
        var role = CommonOptions.SailPointIds(new Option<string>("--role", "-r") { Description = "The potential role id.", HelpName = "ID", Required = true });
        return ListingCommand.Create(
            execution,
            "identities",
            "List the identities of a potential role.",
            "'name sw \"A\"'",
            "'name' or '-name'",
            [session, role],
            (run, parseResult, request, token) => ListAsync(run, parseResult.GetRequiredValue(session), parseResult.GetRequiredValue(role), request, token),
            "Output format: table, json (an array streamed as it is fetched) or csv (columns id, name, then the attributes of the first page).");
    }

    /// <summary>id, name, then the attribute names of <paramref name="firstPage"/> in the order first seen.</summary>
    internal static IReadOnlyList<RecordColumn<RoleMiningIdentity>> ChooseColumns(IReadOnlyList<RoleMiningIdentity> firstPage)
    {
        var columns = new List<RecordColumn<RoleMiningIdentity>>
        {
            new("id", identity => identity.Id),
            new("name", identity => identity.Name),
        };
        foreach (var attribute in AttributeNames(firstPage))
        {
            columns.Add(new(attribute, identity => identity.Attributes is { } attributes && attributes.TryGetValue(attribute, out var value) ? value : null));
        }

        return columns;
    }

    private static IEnumerable<string> AttributeNames(IEnumerable<RoleMiningIdentity> identities)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var identity in identities)
        {
            foreach (var name in identity.Attributes?.Keys ?? [])
            {
                if (seen.Add(name))
                {
                    yield return name;
                }
            }
        }
    }

    private static Task<int> ListAsync(CliRun run, string sessionId, string roleId, ListingRequest request, CancellationToken cancellationToken)
    {
        request.Validate(SailPointCollections.PotentialRoleIdentities);
        HashSet<string>? columnAttributes = null;
        var reported = new HashSet<string>(StringComparer.Ordinal);
        return ListingCommand.WriteAsync(
            run,
            request,
            "identities",
            TypeInfo,
            firstPage =>
            {
                var columns = ChooseColumns(firstPage);
                columnAttributes = columns.Skip(2).Select(column => column.Header).ToHashSet(StringComparer.Ordinal);
                return columns;
            },
            query => run.Client.GetPotentialRoleIdentitiesAsync(sessionId, roleId, query, cancellationToken),
            cancellationToken,
            page =>
            {
                if (columnAttributes is null)
                {
                    return;
                }

                foreach (var name in AttributeNames(page.Values).Where(name => !columnAttributes.Contains(name) && reported.Add(name)))
                {
                    run.Console.Error.WriteLine($"warning: attribute '{name}' first appears after the first page and is not a {request.Format.ToString().ToLowerInvariant()} column; use --format json to keep every attribute.");
                }
            });
    }
}
