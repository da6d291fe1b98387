using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoleMining.Exports;
using RoleMining.Functions.Hosting;
using RoleMining.Functions.RateLimiting;
using RoleMining.Functions.Triggers;
using RoleMining.SailPoint;
using RoleMining.Testing.RateLimiting;

namespace RoleMining.RateBudget.Bench;

/// <summary>
/// One simulated instance of the Function App, in a process of its own: the app's services exactly as Program.cs
/// registers them (<see cref="FunctionsServiceCollectionExtensions.AddRoleMiningFunctions"/>: SailPoint client, shared
/// budget over Blob Storage, job store, queue sender), with the app's queue functions (<see cref="ExportQueueFunctions"/>)
/// fed the way the Functions host feeds them per host.json (batches of 4 per queue, more fetched when 2 or fewer run,
/// a failed message back after 30 s, poison after 5 deliveries). What it leaves out of a real host: the gRPC hop to the
/// worker, the scale controller, and host.json's 10 s maximum polling interval (here 1 s, so that polling an empty
/// queue does not dominate the wall time). With a warm-up file (<see cref="WarmUpFileVariable"/>) it first prints
/// "warming" and takes the coordinator's warm-up jobs until that file appears, printing the steps it ran ("warmed
/// start=1 poll=2 ..."); then it prints "ready", starts its listeners when the go file appears
/// (<see cref="GoFileVariable"/>), and prints a line of store counters (those of the measured run only) every half second.
/// </summary>
internal static class SimulatedInstance
{
    public const string Argument = "--simulated-instance";

    /// <summary>A file whose creation starts every instance's queue listeners at once (the coordinator creates it once
    /// the jobs are queued), so that the measured time is the fleet draining the queue, not processes starting.</summary>
    public const string GoFileVariable = "BENCH_GO_FILE";

    /// <summary>A file whose creation ends the warm-up: until then the instance takes jobs as it will in the run, so that
    /// the code paths of the run are compiled before the clock starts (see <see cref="InstancesBenchmark"/>).</summary>
    public const string WarmUpFileVariable = "BENCH_WARM_UP_FILE";
    private const int BatchSize = 4;
    private const int NewBatchThreshold = 2;
    private const int MaxDequeueCount = 5;
    private static readonly TimeSpan MinPolling = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxPolling = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FailedVisibility = TimeSpan.FromSeconds(30);

    /// <summary>The instance's settings, as app settings (environment variables) of the child process.</summary>
    public static Dictionary<string, string?> Settings(string storage, Uri sailPoint, string clientId, string clientSecret, bool sharedBudget, string goFile, string? warmUpFile) => new()
    {
        [GoFileVariable] = goFile,
        [WarmUpFileVariable] = warmUpFile,
        ["AzureWebJobsStorage"] = storage,
        ["SailPoint__BaseUrl"] = sailPoint.ToString(),
        ["SailPoint__ClientId"] = clientId,
        ["SailPoint__ClientSecret"] = clientSecret,
        ["SailPoint__ApiVersion"] = "v2024",
        ["Exports__MaxAttempts"] = MaxDequeueCount.ToString(CultureInfo.InvariantCulture),
        ["Exports__Polling__InitialDelay"] = "00:00:01",
        ["Exports__Polling__MaxDelay"] = "00:00:10",
        ["RoleMining_Schedule"] = "0 0 2 * * *",

        // The app refuses to start without a way to authenticate its HTTP callers; the benchmark makes no HTTP call.
        // The SHA-256 of local.settings.sample.json's development key.
        ["RoleMining__Api__Authentication__ApiKeys__Bench"] = "4c88089bdf15cb0dffde5c179461a2f99fa7cfb0bed250a8d87f8aa1d80eaa11",
        ["BENCH_SHARED_BUDGET"] = sharedBudget ? "true" : "false",
    };

    public static IServiceProvider Services(IConfiguration configuration, out CountingRateBudgetStore? counted)
    {
        var services = new ServiceCollection()
            .AddSingleton(configuration)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Azure.Core", LogLevel.Error).AddSimpleConsole(console => console.SingleLine = true))
            .AddRoleMiningFunctions(configuration);
        CountingRateBudgetStore? store = null;
        if (configuration.GetValue<bool>("BENCH_SHARED_BUDGET"))
        {
            // The app's own store, counted.
            services.Replace(ServiceDescriptor.Singleton<ISailPointRateBudgetStore>(provider =>
                store = new CountingRateBudgetStore(new BlobRateBudgetStore(provider.GetRequiredService<BlobServiceClient>()))));
        }
        else
        {
            // The contrast: a budget per process, as the client had before.
            services.RemoveAll<ISailPointRateBudgetStore>();
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IRoleMiningClient>();
        counted = store;
        return provider;
    }

    public static async Task<int> RunAsync()
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var services = Services(configuration, out var store);
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var functions = ActivatorUtilities.CreateInstance<ExportQueueFunctions>(services);
        var queues = services.GetRequiredService<QueueServiceClient>();
        var handled = new long[Enum.GetValues<ExportStep>().Length];
        long failed = 0;
        List<Task> Listen(int batchSize, CancellationToken stopping) =>
            [.. Enum.GetValues<ExportStep>().Select(step => ListenAsync(queues.GetQueueClient(ExportQueueNames.For(step)), step, batchSize, functions, () => Interlocked.Increment(ref handled[(int)step]), () => Interlocked.Increment(ref failed), stopping))];
        string Handled() => string.Join(' ', Enum.GetValues<ExportStep>().Select(step => string.Create(CultureInfo.InvariantCulture, $"{step.ToString().ToLowerInvariant()}={Interlocked.Read(ref handled[(int)step])}")));

        if (configuration[WarmUpFileVariable] is { Length: > 0 } warmUp)
        {
            // The coordinator sends warm-up jobs until every instance has run each step at least once (it reads these lines);
            // one message at a time per queue, so that the first instance to poll does not take a whole round.
            Console.WriteLine("warming");
            using var warming = new CancellationTokenSource();
            var warmUpListeners = Listen(1, warming.Token);
            while (!File.Exists(warmUp))
            {
                Console.WriteLine("warmed " + Handled());
                await Task.Delay(250);
            }

            await warming.CancelAsync();
            await Task.WhenAll(warmUpListeners);
            Array.Clear(handled);
            failed = 0;
        }

        Console.WriteLine("ready");
        if (configuration[GoFileVariable] is { Length: > 0 } go)
        {
            await WaitForFileAsync(go);
        }

        // Counted from the go: the coordinator has seen the budget idle by then, so what the warm-up cost the store (the
        // instances giving up their shares after it) is not the run's.
        var (reads, writes, conflicts) = (store?.Reads ?? 0, store?.Writes ?? 0, store?.Conflicts ?? 0);
        using var stopping = new CancellationTokenSource();
        var listeners = Listen(BatchSize, stopping.Token);
        while (!listeners.Any(listener => listener.IsCompleted))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"counters reads={(store?.Reads ?? 0) - reads} writes={(store?.Writes ?? 0) - writes} conflicts={(store?.Conflicts ?? 0) - conflicts} handled={Enumerable.Range(0, handled.Length).Sum(index => Interlocked.Read(ref handled[index]))} failed={Interlocked.Read(ref failed)}"));
            await Task.Delay(500);
        }

        await Task.WhenAll(listeners);
        return 1;
    }

    private static async Task WaitForFileAsync(string path)
    {
        while (!File.Exists(path))
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Feeds one queue's messages to its function until <paramref name="stopping"/> is cancelled, then waits for
    /// the steps it started (they run to their end: a warm-up stops taking messages, not steps half done).</summary>
    private static async Task ListenAsync(QueueClient queue, ExportStep step, int batchSize, ExportQueueFunctions functions, Action handled, Action failed, CancellationToken stopping)
    {
        var running = new List<Task>();
        var idle = MinPolling;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                running.RemoveAll(task => task.IsCompleted);
                if (running.Count > Math.Min(NewBatchThreshold, batchSize - 1))
                {
                    await Task.WhenAny(running);
                    continue;
                }

                var messages = (await queue.ReceiveMessagesAsync(batchSize, TimeSpan.FromMinutes(5), stopping)).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(idle, stopping);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, MaxPolling.Ticks));
                    continue;
                }

                idle = MinPolling;
                running.AddRange(messages.Select(message => HandleAsync(queue, step, message, functions, handled, failed, CancellationToken.None)));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped taking messages.
        }

        await Task.WhenAll(running);
    }

    private static async Task HandleAsync(QueueClient queue, ExportStep step, QueueMessage message, ExportQueueFunctions functions, Action handled, Action failed, CancellationToken cancellationToken)
    {
        try
        {
            await (step switch
            {
                ExportStep.Start => functions.StartAsync(message, cancellationToken),
                ExportStep.Poll => functions.PollAsync(message, cancellationToken),
                ExportStep.Download => functions.DownloadAsync(message, cancellationToken),
                _ => functions.CallbackAsync(message, cancellationToken),
            });
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            handled();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failed();
            Console.Error.WriteLine($"{step} failed (delivery {message.DequeueCount}): {exception.GetType().Name}: {exception.Message}");
            if (message.DequeueCount >= MaxDequeueCount)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: FailedVisibility, cancellationToken: cancellationToken);
            }
        }
    }
}
