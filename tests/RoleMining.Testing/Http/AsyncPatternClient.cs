using System.Net;

namespace RoleMining.Testing.Http;

/// <summary>
/// Follows the asynchronous request-reply pattern the way Logic Apps' HTTP action and Power Automate do: after a 202 it
/// waits <c>Retry-After</c>, then GETs <c>Location</c> (an absolute URL), until the answer is not 202. It knows nothing
/// else about the API. <paramref name="authenticate"/> adds to each poll what the caller's platform re-applies (for
/// Logic Apps, the action's authentication); by default nothing.
/// </summary>
public sealed class AsyncPatternClient(HttpClient http, Action<HttpRequestMessage>? authenticate = null)
{
    /// <summary>Every 202 seen, with its <c>Location</c> and <c>Retry-After</c>.</summary>
    public List<(HttpStatusCode Status, Uri Location, TimeSpan RetryAfter)> Polls { get; } = [];

    /// <summary>Sends <paramref name="request"/> and follows it to the end; returns the final response.</summary>
    public async Task<HttpResponseMessage> SendAndFollowAsync(HttpRequestMessage request, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var deadline = new CancellationTokenSource(budget);
        var response = await http.SendAsync(request, deadline.Token);
        while (response.StatusCode == HttpStatusCode.Accepted)
        {
            var location = response.Headers.Location ?? throw new InvalidOperationException("A 202 without Location.");
            if (!location.IsAbsoluteUri)
            {
                throw new InvalidOperationException($"Location '{location}' is not absolute.");
            }

            var retryAfter = response.Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("A 202 without Retry-After in seconds.");
            if (retryAfter < TimeSpan.FromSeconds(1) || retryAfter > TimeSpan.FromMinutes(10))
            {
                throw new InvalidOperationException($"Retry-After {retryAfter} is outside 1 s to 10 min.");
            }

            Polls.Add((response.StatusCode, location, retryAfter));
            response.Dispose();
            await Task.Delay(retryAfter, deadline.Token);
            using var poll = new HttpRequestMessage(HttpMethod.Get, location);
            authenticate?.Invoke(poll);
            response = await http.SendAsync(poll, deadline.Token);
        }

        return response;
    }
}
