using System.CommandLine;
using System.Text.Json.Serialization.Metadata;
using RoleMining.Api.Validation;
using RoleMining.Cli.Hosting;
using RoleMining.Cli.Output;
using RoleMining.SailPoint;

namespace RoleMining.Cli.Commands;

/// <summary>What a listing was asked for: <c>--filter</c>, <c>--sort</c>, <c>--format</c> and <c>--out</c>.</summary>
internal sealed record ListingRequest(string? Filter, string? Sort, OutputFormat Format, string? OutFile)
{
    /// <summary>The request for the options as given: the format from <c>--format</c>, or from the file's extension.</summary>
    public static ListingRequest Of(string? filter, string? sort, string? format, string? outFile) =>
        new(filter, sort, OutputFormats.Resolve(format, outFile), outFile);

    /// <summary>
    /// Throws a usage error for a filter or sorter ISC does not support on the collection of <paramref name="rules"/>
    /// (the rules the HTTP API applies), so that a typo names its option before any call instead of coming back as
    /// SailPoint's 400.
    /// </summary>
    public void Validate(CollectionRules rules)
    {
        if (Filter is { } filter && CollectionQueryValidator.ValidateFilters(filter, rules) is { } filterError)
        {
            throw CliException.Usage($"--filter '{filter}': {filterError}");
        }

        if (Sort is { } sort && CollectionQueryValidator.ValidateSorters(sort, rules) is { } sortError)
        {
            throw CliException.Usage($"--sort '{sort}': {sortError}");
        }
    }
}

/// <summary>
/// The shape the commands that list a SailPoint collection share (<c>sessions list</c>, <c>roles list</c>,
/// <c>identities</c>): their own options, then <c>--filter</c>, <c>--sort</c>, <c>--format</c> and <c>--out</c>; the
/// directory of <c>--out</c> checked before any call; every page written as it is fetched, with progress, and a closing
/// "Wrote N ... to FILE." when the records went to a file.
/// </summary>
internal static class ListingCommand
{
    /// <summary>The command; <paramref name="list"/> runs it with the parse result and the listing options.</summary>
    public static Command Create(
        CommandExecution execution,
        string name,
        string description,
        string filterExample,
        string sortExample,
        IEnumerable<Option> ownOptions,
        Func<CliRun, ParseResult, ListingRequest, CancellationToken, Task<int>> list,
        string? formatDescription = null)
    {
        var filter = CommonOptions.Filter(filterExample);
        var sort = CommonOptions.Sort(sortExample);
        var format = formatDescription is null ? CommonOptions.Format() : CommonOptions.Format(formatDescription);
        var outFile = CommonOptions.OutFile();
        var command = new Command(name, description);
        foreach (var option in ownOptions.Concat([filter, sort, format, outFile]))
        {
            command.Options.Add(option);
        }

        command.SetAction((parseResult, cancellationToken) => execution.RunAsync(
            parseResult,
            (run, token) => list(
                run,
                parseResult,
                ListingRequest.Of(parseResult.GetValue(filter), parseResult.GetValue(sort), parseResult.GetValue(format), FileOrStandardOutput(parseResult.GetValue(outFile))),
                token),
            cancellationToken,
            preflight: result => execution.RequireOutputDirectory(FileOrStandardOutput(result.GetValue(outFile)))));
        return command;
    }

    /// <summary><c>--out -</c> is standard output, as for most command-line tools; null too.</summary>
    internal static string? FileOrStandardOutput(string? outFile) => outFile == "-" ? null : outFile;

    /// <summary>
    /// Pages through the collection <paramref name="collection"/> gives for the listing's query (filters, sorters, and the
    /// total asked for so that progress shows a fraction) and writes every record as <paramref name="request"/> asks;
    /// <paramref name="onPage"/> sees each page after it was written.
    /// </summary>
    public static async Task<int> WriteAsync<T>(
        CliRun run,
        ListingRequest request,
        string noun,
        JsonTypeInfo<T> typeInfo,
        Func<IReadOnlyList<T>, IReadOnlyList<RecordColumn<T>>> chooseColumns,
        Func<CollectionQuery, AsyncPageable<T>> collection,
        CancellationToken cancellationToken,
        Action<Page<T>>? onPage = null)
    {
        await using var destination = RecordDestination.Open(run, request.OutFile);
        var writer = RecordOutput.CreateWriter(request.Format, destination, typeInfo, chooseColumns);
        var pages = collection(new CollectionQuery { Filters = request.Filter, Sorters = request.Sort, PageSize = RecordOutput.PageSize, IncludeTotal = true }).AsPages();
        var count = await PageProgress.RunAsync(run.Console, destination.IsFile, noun, report =>
            RecordOutput.WriteAllAsync(destination, writer, pages, (page, written, total) =>
            {
                onPage?.Invoke(page);
                report(written, total);
            }, cancellationToken));
        if (destination.IsFile)
        {
            await run.Console.Output.WriteLineAsync($"Wrote {count} {noun} to {request.OutFile}.");
        }

        return ExitCodes.Success;
    }
}
