using System.Text.Json;
using RoleMining.Exports;
using RoleMining.Functions.Configuration;
using RoleMining.Infrastructure.Tests.Support;

namespace RoleMining.Infrastructure.Tests.Bicep;

/// <summary>Queue and container names agree across the workflow's code, the Functions app, host.json and the Bicep.</summary>
public sealed class NamesConsistencyTests
{
    private static readonly BicepFile Main = BicepFile.Load("infra/main.bicep");

    [Fact]
    public void Bicep_creates_exactly_the_step_queues_and_their_poison_queues()
    {
        var expected = Enum.GetValues<ExportStep>()
            .SelectMany(step => new[] { ExportQueueNames.For(step), ExportQueueNames.PoisonFor(step) })
            .Order(StringComparer.Ordinal);

        var created = Main.StringArrayVariable("queueNames");

        Assert.NotNull(created);
        Assert.Equal(expected, created.Order(StringComparer.Ordinal));
        Assert.Contains("queueNames: queueNames", Main.Code, StringComparison.Ordinal);
    }

    [Fact]
    public void Poison_queue_names_follow_the_functions_host_convention()
    {
        // The Storage Queues extension moves a message that failed maxDequeueCount times to '{queue}-poison'.
        Assert.Equal("-poison", ExportQueueNames.PoisonSuffix);
        Assert.All(Enum.GetValues<ExportStep>(), step => Assert.Equal(ExportQueueNames.For(step) + "-poison", ExportQueueNames.PoisonFor(step)));
    }

    [Fact]
    public void Queue_names_are_valid_azure_queue_names()
    {
        // 3-63 characters, lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
        var names = Main.StringArrayVariable("queueNames")!;

        Assert.All(names, name => Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", name));
    }

    [Fact]
    public void Bicep_creates_the_containers_the_app_uses()
    {
        Assert.Equal(FunctionsSettings.ArtifactContainer, Main.StringVariable("artifactContainerName"));
        Assert.Equal(FunctionsSettings.JobContainer, Main.StringVariable("jobContainerName"));
        Assert.Equal(FunctionsSettings.RateBudgetContainer, Main.StringVariable("rateBudgetContainerName"));

        var storageParams = Main.PropertiesAfter("module storage ", "params");
        Assert.Contains("artifactContainerName", storageParams["containerNames"], StringComparison.Ordinal);
        Assert.Contains("jobContainerName", storageParams["containerNames"], StringComparison.Ordinal);
        Assert.Contains("rateBudgetContainerName", storageParams["containerNames"], StringComparison.Ordinal);
        Assert.Contains("deploymentContainerName", storageParams["containerNames"], StringComparison.Ordinal);
    }

    [Fact]
    public void Container_names_are_valid_azure_container_names()
    {
        string[] names = [FunctionsSettings.ArtifactContainer, FunctionsSettings.JobContainer, FunctionsSettings.RateBudgetContainer, Main.StringVariable("deploymentContainerName")!];

        Assert.All(names, name => Assert.Matches("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", name));
    }

    [Fact]
    public void Host_json_decodes_queue_messages_as_base64_like_the_app_encodes_them()
    {
        using var host = JsonDocument.Parse(Repository.ReadText("host.json"));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");

        Assert.Equal("base64", queues.GetProperty("messageEncoding").GetString());

        // The app's own QueueClient must encode the same way, or the trigger cannot read the messages it sends.
        var functionsCode = string.Concat(Repository.FilesUnder("src/RoleMining.Functions", ".cs").Select(File.ReadAllText));
        Assert.Contains("MessageEncoding = QueueMessageEncoding.Base64", functionsCode, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_dequeue_count_matches_the_workflow_attempts_everywhere()
    {
        using var host = JsonDocument.Parse(Repository.ReadText("host.json"));
        var maxDequeueCount = host.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("maxDequeueCount").GetInt32();

        // The workflow turns the last delivery's failure into a failed job; it must know which delivery is the last.
        Assert.Equal($"'{maxDequeueCount}'", AppSettings.FromBicep()["Exports__MaxAttempts"]);
        Assert.Equal(maxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture), LocalSettings.Values()["Exports__MaxAttempts"]);
        Assert.InRange(maxDequeueCount, 1, 100);
    }
}
