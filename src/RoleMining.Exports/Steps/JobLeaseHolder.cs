using Microsoft.Extensions.Logging;
using RoleMining.Exports.Diagnostics;

namespace RoleMining.Exports;

/// <summary>
/// Holds a step's lease on a job while it works: renews it every third of the lease duration, notices when it was lost
/// (<see cref="LostToken"/>), and makes the final change with the latest ETag. Disposing it without
/// <see cref="FinishAsync"/> keeps the lease until it expires, which is what a crash leaves behind too.
/// </summary>
internal sealed class JobLeaseHolder : IAsyncDisposable
{
    private readonly IExportJobStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _duration;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;
    private readonly List<byte[]> _attempted = [];
    private StoredExportJob _current;
    private bool _finished;

    public JobLeaseHolder(StoredExportJob claimed, IExportJobStore store, TimeProvider timeProvider, TimeSpan duration, ILogger logger)
    {
        _current = claimed;
        LeaseId = claimed.Job.Lease?.LeaseId ?? throw new ArgumentException("The job carries no lease.", nameof(claimed));
        _store = store;
        _timeProvider = timeProvider;
        _duration = duration;
        _logger = logger;
        _renewal = Task.Run(RenewAsync);
    }

    public string LeaseId { get; }

    public ExportJob Job => _current.Job;

    /// <summary>Cancelled when the lease turned out to belong to someone else.</summary>
    public CancellationToken LostToken => _lost.Token;

    /// <summary>Renews the lease now and says whether it is still held (checked before publishing results).</summary>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RenewOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Whether the stored job still carries this holder's lease, unexpired. Reads only, unlike <see cref="ConfirmAsync"/>:
    /// a store that cannot take a write (a full disk) still answers; one that cannot answer at all counts as not held.
    /// </summary>
    public async Task<bool> IsHeldAsync(CancellationToken cancellationToken)
    {
        try
        {
            var fresh = await _store.GetAsync(_current.Job.JobId, cancellationToken).ConfigureAwait(false);
            return fresh?.Job.Lease is { } lease && lease.LeaseId == LeaseId && lease.ExpiresAt > _timeProvider.GetUtcNow();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.LeaseCheckFailed(_logger, _current.Job.JobId, exception);
            return false;
        }
    }

    /// <summary>
    /// Stops renewing and writes <paramref name="change"/> of the job (which should clear or replace the lease). On a
    /// conflict it re-reads and applies the change again while the lease is still this holder's; null when it is not.
    /// </summary>
    public async Task<StoredExportJob?> FinishAsync(Func<ExportJob, ExportJob> change, CancellationToken cancellationToken)
    {
        // Once the final write is made the job is no longer this holder's: a second one (a failure path after success)
        // would apply its change to the job as finished, with that write's own fresh ETag.
        if (_finished)
        {
            throw new InvalidOperationException($"The lease on job {_current.Job.JobId} was already ended by a final write.");
        }

        await StopRenewalAsync().ConfigureAwait(false);
        while (true)
        {
            var intended = change(_current.Job);
            // Kept across calls: a write that was stored although it failed (its answer lost, then the storage client's
            // retries failed too) is recognised by a later call, which builds the change again with other timestamps.
            _attempted.Add(ExportsJson.SerializeJob(intended));
            var written = await _store.TryReplaceAsync(intended, _current.ETag, cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                _current = written;
                _finished = true;
                return written;
            }

            var fresh = await _store.GetAsync(_current.Job.JobId, cancellationToken).ConfigureAwait(false);
            if (fresh is not null && fresh.Job.Lease?.LeaseId != LeaseId && IsOneOfMyWrites(fresh.Job))
            {
                // A write was made, but its answer was lost and the storage client's retry of it lost its condition to
                // that very write (a 412 on the retried Put Blob), or it failed after all: the stored job is this holder's.
                _current = fresh;
                _finished = true;
                return fresh;
            }

            if (fresh?.Job.Lease?.LeaseId != LeaseId)
            {
                await _lost.CancelAsync().ConfigureAwait(false);
                return null;
            }

            _current = fresh;
        }
    }

    private bool IsOneOfMyWrites(ExportJob stored)
    {
        var bytes = ExportsJson.SerializeJob(stored);
        return _attempted.Exists(attempt => attempt.AsSpan().SequenceEqual(bytes));
    }

    public async ValueTask DisposeAsync()
    {
        await StopRenewalAsync().ConfigureAwait(false);
        _lost.Dispose();
        _stop.Dispose();
        _gate.Dispose();
    }

    private async Task StopRenewalAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _renewal.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the point.
        }
    }

    private async Task RenewAsync()
    {
        var interval = _duration / 3;
        while (!_stop.IsCancellationRequested && !_lost.IsCancellationRequested)
        {
            await Task.Delay(interval, _timeProvider, _stop.Token).ConfigureAwait(false);
            await _gate.WaitAsync(_stop.Token).ConfigureAwait(false);
            try
            {
                await RenewOnceAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A store hiccup must not kill the work; the next tick (or the final write) tries again.
                Log.LeaseRenewalFailed(_logger, _current.Job.JobId, exception);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private async Task<bool> RenewOnceAsync(CancellationToken cancellationToken)
    {
        while (!_lost.IsCancellationRequested)
        {
            var renewed = _current.Job with
            {
                Lease = new ExportJobLease { LeaseId = LeaseId, ExpiresAt = _timeProvider.GetUtcNow() + _duration },
            };
            var written = await _store.TryReplaceAsync(renewed, _current.ETag, cancellationToken).ConfigureAwait(false);
            if (written is not null)
            {
                _current = written;
                return true;
            }

            var fresh = await _store.GetAsync(_current.Job.JobId, cancellationToken).ConfigureAwait(false);
            if (fresh?.Job.Lease?.LeaseId != LeaseId)
            {
                await _lost.CancelAsync().ConfigureAwait(false);
                return false;
            }

            _current = fresh;
        }

        return false;
    }
}
