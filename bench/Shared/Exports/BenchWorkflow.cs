using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;
using RoleMining.SailPoint;

namespace RoleMining.Bench;

/// <summary>
/// The export workflow as the command line registers it (filesystem stores, in-process queue and runner) with the real
/// client (<c>AddSailPointRoleMining</c>, its default rate limiter and retries, unless <paramref name="client"/> and
/// <paramref name="services"/> change them), against the given emulator. No logger provider is added, so the workflow
/// is silent; outcomes are read from the job documents. Shared by the benchmark programs that run exports (compiled
/// into each).
/// </summary>
internal static class BenchWorkflow
{
    public static ServiceProvider Provider(
        Uri baseAddress,
        string clientId,
        string clientSecret,
        string artifactRoot,
        Action<ExportWorkflowOptions> configure,
        Action<RoleMiningClientOptions>? client = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        collection.AddSailPointRoleMining(options =>
        {
            options.BaseUrl = baseAddress;
            options.ClientId = clientId;
            options.ClientSecret = clientSecret;
            client?.Invoke(options);
        });
        services?.Invoke(collection);
        collection.AddRoleMiningExports(options =>
        {
            options.FileSystem.ArtifactRoot = artifactRoot;
            configure(options);
        }).UseFileSystemStores().UseInProcessQueue();
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>Creates one job per role, runs the workflow until every chain ended, and returns the jobs as stored.</summary>
    public static async Task<IReadOnlyList<ExportJob>> ExportAsync(IServiceProvider services, IEnumerable<(string SessionId, string PotentialRoleId)> roles, CancellationToken cancellationToken)
    {
        var jobs = services.GetRequiredService<ExportJobService>();
        var ids = new List<string>();
        foreach (var (sessionId, potentialRoleId) in roles)
        {
            var creation = await jobs.CreateAsync(new ExportJobRequest { SessionId = sessionId, PotentialRoleId = potentialRoleId }, cancellationToken);
            ids.Add(creation.Job.JobId);
        }

        await services.GetRequiredService<InProcessExportRunner>().RunUntilIdleAsync(cancellationToken);
        var result = new List<ExportJob>(ids.Count);
        foreach (var id in ids)
        {
            result.Add(await jobs.GetAsync(id, cancellationToken) ?? throw new InvalidOperationException($"Job {id} vanished."));
        }

        var failed = result.Where(job => job.State != ExportJobState.Succeeded).ToList();
        if (failed.Count > 0)
        {
            throw new InvalidOperationException(
                $"{failed.Count} of {result.Count} export job(s) did not succeed; first: {failed[0].State} {failed[0].Failure?.Reason ?? failed[0].LastError}");
        }

        return result;
    }
}
