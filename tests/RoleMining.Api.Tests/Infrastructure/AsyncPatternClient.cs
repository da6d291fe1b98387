using System.Net;

namespace RoleMining.Api.Tests.Infrastructure;

/// <summary>
/// Follows the asynchronous request-reply pattern the way Logic Apps' HTTP action and Power Automate do: after a 202 it
/// waits <c>Retry-After</c>, then GETs <c>Location</c> (an absolute URL), until the answer is not 202. It knows nothing
/// else about the API.
/// </summary>
internal sealed class AsyncPatternClient(HttpClient http)
{
    public List<(HttpStatusCode Status, Uri Location, TimeSpan RetryAfter)> Polls { get; } = [];

    /// <summary>Sends <paramref name="request"/> and follows it to the end; returns the final response.</summary>
    public async Task<HttpResponseMessage> SendAndFollowAsync(HttpRequestMessage request, TimeSpan budget)
    {
        using var deadline = new CancellationTokenSource(budget);
        var response = await http.SendAsync(request, deadline.Token);
        while (response.StatusCode == HttpStatusCode.Accepted)
        {
            var location = response.Headers.Location ?? throw new InvalidOperationException("A 202 without Location.");
            Assert.True(location.IsAbsoluteUri, $"Location '{location}' is not absolute.");
            var retryAfter = response.Headers.RetryAfter?.Delta ?? throw new InvalidOperationException("A 202 without Retry-After in seconds.");
            Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
            Polls.Add((response.StatusCode, location, retryAfter));
            response.Dispose();
            await Task.Delay(retryAfter, deadline.Token);
            response = await http.GetAsync(location, deadline.Token);
        }

        return response;
    }
}
