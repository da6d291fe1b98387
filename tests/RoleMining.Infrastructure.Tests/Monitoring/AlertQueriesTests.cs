using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using RoleMining.Exports;
using RoleMining.Functions.Telemetry;
using RoleMining.Infrastructure.Tests.Support;
using RoleMining.SailPoint;
using RoleMining.SailPoint.Diagnostics;
using RoleMining.Testing;

namespace RoleMining.Infrastructure.Tests.Monitoring;

/// <summary>
/// The alerts and the workbook query what the app really emits: every metric a query names is an instrument of a meter
/// the app exports, every dimension an attribute the app sets, every value a query filters a dimension on one the app
/// records; and the alert rules deploy exactly those query files, with measure and dimension columns the queries produce.
/// </summary>
public sealed partial class AlertQueriesTests
{
    private const string AlertsBicep = "infra/app/alerts.bicep";
    private const string AlertQueryFolder = "infra/app/alerts";
    private const string Workbook = "infra/app/workbook.json";

    /// <summary>Every .kql of the alerts and every query of the workbook, by where it comes from.</summary>
    public static TheoryData<string> Queries() => new(QuerySources());

    private static List<string> QuerySources() =>
    [
        .. Repository.FilesUnder(AlertQueryFolder, ".kql").Select(file => Path.GetRelativePath(Repository.Root, file).Replace(Path.DirectorySeparatorChar, '/')),
        .. WorkbookQueries().Keys.Select(name => Workbook + "#" + name),
    ];

    [Theory]
    [MemberData(nameof(Queries))]
    public void A_query_names_only_metrics_dimensions_and_values_the_app_emits(string source)
    {
        var query = QueryText(source);
        var emitted = EmittedInstruments.Value;
        var metrics = MetricName().Matches(query).Select(match => match.Groups["name"].Value)
            .Concat(MetricNameList().Matches(query).SelectMany(match => QuotedString().Matches(match.Groups["names"].Value).Select(name => name.Groups["value"].Value)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var dimensions = Dimension().Matches(query).Select(match => match.Groups["key"].Value).Distinct(StringComparer.Ordinal).ToList();

        Assert.True(metrics.Count > 0 || query.Contains("traces", StringComparison.Ordinal), $"{source} names no metric");
        Assert.All(metrics, metric => Assert.True(emitted.ContainsKey(metric),
            $"{source} queries '{metric}', which no instrument of the exported meters ({string.Join(", ", FunctionsTelemetry.Meters)}) is called"));
        Assert.All(dimensions, key => Assert.True(AppAttributes.Value.Contains(key) || LogProperties.Value.Contains(key),
            $"{source} reads customDimensions[\"{key}\"], which is neither an attribute the app sets nor a property of its logs"));

        // A filter on a dimension's value names a value the app records on that metric.
        foreach (Match filter in DimensionFilter().Matches(query))
        {
            var (key, value) = (filter.Groups["key"].Value, filter.Groups["value"].Value);
            foreach (var metric in metrics.Where(RecordedTags.Value.ContainsKey))
            {
                Assert.True(RecordedTags.Value[metric].Any(tags => tags.TryGetValue(key, out var recorded) && recorded == value),
                    $"{source} keeps {metric} where {key} == \"{value}\", a value the app never records on it");
            }
        }
    }

    [Fact]
    public void The_queries_cover_every_instrument_the_issue_asks_for()
    {
        // Guards the theory above against passing because the queries name nothing: these are the figures an operator needs.
        var all = string.Join('\n', QuerySources().Select(QueryText));

        Assert.All(
            new[]
            {
                ExportsTelemetry.ExportsStartedInstrument, ExportsTelemetry.ExportsSucceededInstrument, ExportsTelemetry.ExportsFailedInstrument,
                ExportsTelemetry.StepDurationInstrument, ExportsTelemetry.StoredBytesInstrument, ExportsTelemetry.SweepRunsInstrument,
                ExportsTelemetry.CallbacksInstrument,
                SailPointTelemetry.RequestsInstrument, SailPointTelemetry.RetryDelayInstrument, SailPointTelemetry.RateLimitWaitInstrument,
            },
            instrument => Assert.Contains($"\"{instrument}\"", all, StringComparison.Ordinal));
        Assert.Contains(EmittedInstruments.Value.Keys, name => name == ExportsTelemetry.ExportsFailedInstrument);
    }

    [RequiresBicepFact]
    public async Task Each_alert_rule_deploys_a_query_file_with_the_measure_and_dimension_columns_it_produces_and_mails_the_azd_parameter()
    {
        using var output = new TemporaryDirectory("rolemining-infra-tests-");
        var build = await BicepCli.BuildAsync(RepositoryPaths.Root, AlertsBicep, output.Path);
        Assert.True(build.ExitCode == 0 && build.Diagnostics.Count == 0, build.Output);
        using var template = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output.Path, "alerts.json")));
        // An array, or an object by symbolic name when the compiler emits language version 2.0.
        var all = template.RootElement.GetProperty("resources");
        var resources = all.ValueKind == JsonValueKind.Array ? all.EnumerateArray().ToList() : all.EnumerateObject().Select(resource => resource.Value).ToList();
        var rules = resources.Where(resource => resource.GetProperty("type").GetString() == "Microsoft.Insights/scheduledQueryRules").ToList();
        var actionGroup = Assert.Single(resources, resource => resource.GetProperty("type").GetString() == "Microsoft.Insights/actionGroups");
        var kqlFiles = Repository.FilesUnder(AlertQueryFolder, ".kql");

        Assert.Equal(kqlFiles.Count, rules.Count);
        Assert.Equal("[parameters('alertEmailAddress')]",
            actionGroup.GetProperty("properties").GetProperty("emailReceivers")[0].GetProperty("emailAddress").GetString());
        var deployed = new List<string>();
        foreach (var rule in rules)
        {
            var properties = rule.GetProperty("properties");
            var criterion = Assert.Single(properties.GetProperty("criteria").GetProperty("allOf").EnumerateArray().ToList());
            // loadTextContent() compiles to a variable holding the file's text; the query expression names it.
            var query = TemplateVariable().Replace(criterion.GetProperty("query").GetString()!,
                match => template.RootElement.GetProperty("variables").GetProperty(match.Groups["name"].Value).GetString()!);
            var file = Assert.Single(kqlFiles, path => File.ReadAllLines(path).Where(line => !line.Contains("__", StringComparison.Ordinal))
                .All(line => query.Contains(line, StringComparison.Ordinal)));
            deployed.Add(file);

            // What the rule reads from the result must be what the query's summarize produces.
            var summarize = Assert.Single(Summarize().Matches(File.ReadAllText(file)));
            Assert.Equal(summarize.Groups["column"].Value, criterion.GetProperty("metricMeasureColumn").GetString());
            var groupedBy = summarize.Groups["by"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var dimensions = criterion.TryGetProperty("dimensions", out var list) ? list.EnumerateArray().Select(dimension => dimension.GetProperty("name").GetString()!).ToList() : [];
            Assert.Equal(groupedBy.Order(StringComparer.Ordinal), dimensions.Order(StringComparer.Ordinal));
            Assert.Contains("actionGroup", properties.GetProperty("actions").GetProperty("actionGroups")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(kqlFiles.Order(StringComparer.Ordinal), deployed.Order(StringComparer.Ordinal));
        using var parameters = JsonDocument.Parse(Repository.ReadText("infra/main.parameters.json"));
        Assert.Equal("${AZURE_ALERT_EMAIL}", parameters.RootElement.GetProperty("parameters").GetProperty("alertEmailAddress").GetProperty("value").GetString());
    }

    private static string QueryText(string source)
    {
        var hash = source.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? Repository.ReadText(source) : WorkbookQueries()[source[(hash + 1)..]];
    }

    private static Dictionary<string, string> WorkbookQueries()
    {
        using var workbook = JsonDocument.Parse(Repository.ReadText(Workbook));
        return workbook.RootElement.GetProperty("items").EnumerateArray()
            .Where(item => item.GetProperty("content").TryGetProperty("query", out _))
            .ToDictionary(item => item.GetProperty("name").GetString()!, item => item.GetProperty("content").GetProperty("query").GetString()!, StringComparer.Ordinal);
    }

    /// <summary>The instruments the app's meters publish, by name, as the exporter sees them (a listener on the exported meters).</summary>
    private static readonly Lazy<Dictionary<string, Instrument>> EmittedInstruments = new(() =>
    {
        var published = new Dictionary<string, Instrument>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (FunctionsTelemetry.Meters.Contains(instrument.Meter.Name))
                {
                    lock (published)
                    {
                        published[instrument.Name] = instrument;
                    }
                }
            },
        };
        listener.Start();
        // The client's instruments are made with the client: a registered client, resolved, publishes them.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = new Uri("https://acme.api.identitynow.com");
            options.ClientId = "client";
            options.ClientSecret = "secret";
        });
        using (var provider = services.BuildServiceProvider())
        using (new ExportsMetrics())
        {
            _ = provider.GetRequiredService<IRoleMiningClient>();
        }

        return published;
    });

    /// <summary>What the sweep and the callbacks record, by instrument: the tag sets of each measurement.</summary>
    private static readonly Lazy<Dictionary<string, List<Dictionary<string, string?>>>> RecordedTags = new(() =>
    {
        var recorded = new Dictionary<string, List<Dictionary<string, string?>>>(StringComparer.Ordinal);
        using var metrics = new ExportsMetrics();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, meterListener) =>
            {
                if (instrument.Meter.Name == ExportsTelemetry.MeterName)
                {
                    meterListener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (!recorded.TryGetValue(instrument.Name, out var list))
            {
                recorded[instrument.Name] = list = [];
            }

            list.Add(tags.ToArray().ToDictionary(tag => tag.Key, tag => tag.Value?.ToString(), StringComparer.Ordinal));
        });
        listener.Start();
        metrics.SweepCompleted(created: 2, covered: 1);
        metrics.SweepFailed(new TimeoutException());
        metrics.CallbackEnded(new ExportCallback { Name = "SailPointWorkflow", State = ExportCallbackState.Delivered });
        metrics.CallbackEnded(new ExportCallback { Name = "SailPointWorkflow", State = ExportCallbackState.Failed });
        return recorded;
    });

    /// <summary>The attribute names the app sets on its spans and metrics: the public <c>...Attribute</c> constants.</summary>
    private static readonly Lazy<HashSet<string>> AppAttributes = new(() =>
        new[] { typeof(ExportsTelemetry), typeof(SailPointTelemetry) }
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsLiteral && field.Name.EndsWith("Attribute", StringComparison.Ordinal))
            .Select(field => (string)field.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal));

    /// <summary>The structured properties of the workflow's log messages (the workbook lists failed jobs from them).</summary>
    private static readonly Lazy<HashSet<string>> LogProperties = new(() =>
        typeof(ExportsTelemetry).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            .Select(method => method.GetCustomAttribute<Microsoft.Extensions.Logging.LoggerMessageAttribute>()?.Message)
            .OfType<string>()
            .SelectMany(message => LogPlaceholder().Matches(message).Select(match => match.Groups["name"].Value))
            .ToHashSet(StringComparer.Ordinal));

    [GeneratedRegex(@"\bname\s*==\s*""(?<name>[^""]+)""")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"\bname\s+in\s*\((?<names>[^)]*)\)")]
    private static partial Regex MetricNameList();

    [GeneratedRegex(@"""(?<value>[^""]*)""")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"customDimensions\[""(?<key>[^""]+)""\]")]
    private static partial Regex Dimension();

    [GeneratedRegex(@"customDimensions\[""(?<key>[^""]+)""\]\)\s*==\s*""(?<value>[^""]*)""")]
    private static partial Regex DimensionFilter();

    [GeneratedRegex(@"\|\s*summarize\s+(?<column>\w+)\s*=\s*[^\n]*?(?:\bby\s+(?<by>[^\n|]+))?$", RegexOptions.Multiline)]
    private static partial Regex Summarize();

    [GeneratedRegex(@"variables\('(?<name>[^']+)'\)")]
    private static partial Regex TemplateVariable();

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(?::[^}]*)?\}")]
    private static partial Regex LogPlaceholder();
}
