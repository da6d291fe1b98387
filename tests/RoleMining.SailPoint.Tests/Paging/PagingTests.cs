using System.Net;
using System.Text;
using RoleMining.SailPoint.Tests.Infrastructure;

namespace RoleMining.SailPoint.Tests.Paging;

public sealed class PagingTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(250, 2)]
    [InlineData(251, 2)]
    [InlineData(1_001, 5)]
    public async Task Every_item_is_returned_with_no_cap(int total, int expectedRequests)
    {
        var handler = IdentityServer(total);
        using var client = TestClients.Create(handler);

        var ids = await client.GetPotentialRoleIdentitiesAsync("s1", "p1").Select(identity => identity.Id).ToListAsync();

        Assert.Equal(Enumerable.Range(0, total).Select(Id), ids);
        Assert.Equal(expectedRequests, handler.ApiCalls);
    }

    [Fact]
    public async Task The_known_total_saves_the_last_request_and_is_asked_for_once()
    {
        var handler = IdentityServer(500, sendTotal: true);
        using var client = TestClients.Create(handler);

        var count = await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { IncludeTotal = true }).CountAsync();

        Assert.Equal(500, count);
        var queries = handler.ApiRequests.Select(request => request.Uri.Query).ToList();
        Assert.Equal(["?offset=0&limit=250&count=true", "?offset=250&limit=250"], queries);
    }

    [Fact]
    public async Task A_400_exactly_at_the_end_of_the_data_ends_the_enumeration()
    {
        var handler = IdentityServer(500, badRequestAtEnd: true);
        using var client = TestClients.Create(handler);

        var count = await client.GetPotentialRoleIdentitiesAsync("s1", "p1").CountAsync();

        Assert.Equal(500, count);
        var queries = handler.ApiRequests.Select(request => request.Uri.Query).ToList();
        Assert.Equal(["?offset=0&limit=250", "?offset=250&limit=250", "?offset=500&limit=250", "?offset=0&limit=1&count=true"], queries);
    }

    [Fact]
    public async Task A_400_at_the_known_total_ends_the_enumeration_without_asking_for_the_total_again()
    {
        var handler = IdentityServer(500, badRequestAtEnd: true);
        using var client = TestClients.Create(handler);

        var count = await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { IncludeTotal = true, PageSize = 100 }).CountAsync();

        Assert.Equal(500, count);
        Assert.Equal(5, handler.ApiCalls);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_400_before_the_end_of_the_data_is_an_error_and_drops_nothing_silently(bool totalKnown)
    {
        // As for an offset limit or a refused filter on a later page: the items after it must not go missing unnoticed.
        var handler = IdentityServer(1_000, badRequestFrom: 250);
        using var client = TestClients.Create(handler);
        var read = 0;

        var failure = await Assert.ThrowsAsync<SailPointException>(async () =>
        {
            await foreach (var identity in client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { IncludeTotal = totalKnown }))
            {
                read++;
            }
        });

        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
        Assert.Equal(250, read);
        Assert.Equal(3, handler.ApiCalls);
    }

    [Fact]
    public async Task A_400_at_the_end_of_data_that_shrank_while_it_was_read_still_ends_the_enumeration()
    {
        // 500 identities when the first page was read (count=true), 250 when the next one is asked for.
        var handler = new StubHandler
        {
            Api = (request, index) =>
            {
                var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
                if (query["offset"] == "250")
                {
                    return Task.FromResult(BadRequest());
                }

                var response = Identities(int.Parse(query["limit"]!, System.Globalization.CultureInfo.InvariantCulture));
                response.Headers.TryAddWithoutValidation("X-Total-Count", index == 0 ? "500" : "250");
                return Task.FromResult(response);
            },
        };
        using var client = TestClients.Create(handler);

        var count = await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { IncludeTotal = true }).CountAsync();

        Assert.Equal(250, count);
        Assert.Equal(3, handler.ApiCalls);
    }

    [Fact]
    public async Task When_the_request_for_the_total_is_throttled_its_429_is_thrown_not_the_400()
    {
        // The 400 may well be the end of the data: a listing that cannot tell is tried again later, never failed as refused.
        var handler = new StubHandler
        {
            Api = (request, _) =>
            {
                var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
                return Task.FromResult(query["offset"] switch
                {
                    "0" when query["count"] == "true" => StubHandler.Json(HttpStatusCode.TooManyRequests, "{}"),
                    "0" => Identities(250),
                    _ => BadRequest(),
                });
            },
        };
        using var client = TestClients.Create(handler, options => options.Retry.MaxRetryAttempts = 0);

        var failure = await Assert.ThrowsAsync<SailPointException>(async () => await client.GetPotentialRoleIdentitiesAsync("s1", "p1").CountAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, failure.Status);
    }

    [Fact]
    public async Task A_400_after_a_full_page_is_an_error_when_the_service_gives_no_total()
    {
        var handler = IdentityServer(250, sendTotal: false, badRequestAtEnd: true);
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(async () => await client.GetPotentialRoleIdentitiesAsync("s1", "p1").CountAsync());

        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
    }

    [Fact]
    public async Task A_400_on_the_first_page_is_an_error()
    {
        var handler = new StubHandler { Api = (_, _) => Task.FromResult(StubHandler.Json(HttpStatusCode.BadRequest, """{"detailCode":"400.1 Bad Request Content"}""")) };
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(async () => await client.GetPotentialRoleIdentitiesAsync("s1", "p1").CountAsync());

        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
    }

    [Fact]
    public async Task A_400_after_a_short_page_is_never_asked_for_because_the_short_page_ends_it()
    {
        var handler = IdentityServer(260, badRequestAtEnd: true);
        using var client = TestClients.Create(handler, null);

        var count = await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { PageSize = 100 }).CountAsync();

        Assert.Equal(260, count);
        Assert.Equal(3, handler.ApiCalls);
    }

    [Fact]
    public async Task Stopping_early_sends_no_request_beyond_the_page_being_read()
    {
        var handler = IdentityServer(10_000);
        using var client = TestClients.Create(handler);

        var first = await client.GetPotentialRoleIdentitiesAsync("s1", "p1").Take(260).ToListAsync();

        Assert.Equal(260, first.Count);
        Assert.Equal(2, handler.ApiCalls);
    }

    [Fact]
    public async Task A_page_larger_than_the_first_buffer_and_without_a_length_is_read_whole()
    {
        var wide = new string('x', 2_000);
        var json = "[" + string.Join(",", Enumerable.Range(0, 250).Select(i => $$$"""{"id":"{{{Id(i)}}}","attributes":{"wide":"{{{wide}}}"}}""")) + "]";
        var handler = new StubHandler
        {
            Api = (_, index) =>
            {
                // Chunked-style: no Content-Length, so the body is read without knowing its size (about 0.5 MB).
                var body = index == 0 ? json : "[]";
                var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(body)));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
            },
        };
        using var client = TestClients.Create(handler);

        var identities = await client.GetPotentialRoleIdentitiesAsync("s1", "p1").ToListAsync();

        Assert.Equal(Enumerable.Range(0, 250).Select(Id), identities.Select(identity => identity.Id));
        Assert.All(identities, identity => Assert.Equal(wide, identity.Attributes!["wide"]));
    }

    [Fact]
    public async Task Filters_and_sorters_are_passed_through_unchanged()
    {
        var handler = IdentityServer(0);
        using var client = TestClients.Create(handler);

        await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { Filters = "name sw \"A\"", Sorters = "-name", PageSize = 50 }).CountAsync();

        var query = Assert.Single(handler.ApiRequests).Uri.Query;
        Assert.Equal("?offset=0&limit=50&filters=name%20sw%20%22A%22&sorters=-name", query);
    }

    [Fact]
    public async Task Pages_from_an_offset_carry_the_total_and_where_the_next_page_starts()
    {
        var handler = IdentityServer(600, sendTotal: true);
        using var client = TestClients.Create(handler);

        var pages = await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { IncludeTotal = true, Offset = 250 }).AsPages().ToListAsync();

        Assert.Equal([250, 100], pages.Select(page => page.Values.Count));
        Assert.Equal(Id(250), pages[0].Values[0].Id);
        Assert.Equal(Id(599), pages[1].Values[^1].Id);
        Assert.NotNull(pages[0].ContinuationToken);
        Assert.Null(pages[1].ContinuationToken);
        Assert.All(pages, page => Assert.Equal(600, page.TotalCount));
        Assert.Equal(["?offset=250&limit=250&count=true", "?offset=500&limit=250"], handler.ApiRequests.Select(request => request.Uri.Query));
    }

    [Fact]
    public async Task A_continuation_token_resumes_exactly_where_the_earlier_page_ended()
    {
        var handler = IdentityServer(260);
        using var client = TestClients.Create(handler);
        var identities = client.GetPotentialRoleIdentitiesAsync("s1", "p1");

        var first = await identities.AsPages(pageSizeHint: 100).FirstAsync();
        var rest = await identities.AsPages(first.ContinuationToken, pageSizeHint: 100).ToListAsync();

        var ids = first.Values.Concat(rest.SelectMany(page => page.Values)).Select(identity => identity.Id);
        Assert.Equal(Enumerable.Range(0, 260).Select(Id), ids);
        Assert.Equal([100, 60], rest.Select(page => page.Values.Count));
        Assert.NotNull(rest[0].ContinuationToken);
        Assert.Null(rest[1].ContinuationToken);
        Assert.Equal(["?offset=0&limit=100", "?offset=100&limit=100", "?offset=200&limit=100"], handler.ApiRequests.Select(request => request.Uri.Query));
    }

    [Fact]
    public async Task Resuming_from_a_token_at_exactly_the_end_of_the_data_ends_without_an_error()
    {
        // 250 identities: the first page is full, so it carries a token; the service answers the offset after it with 400.
        var handler = IdentityServer(250, badRequestAtEnd: true);
        using var client = TestClients.Create(handler);
        var identities = client.GetPotentialRoleIdentitiesAsync("s1", "p1");
        var first = await identities.AsPages().FirstAsync();

        var rest = await identities.AsPages(first.ContinuationToken).ToListAsync();

        Assert.Equal(250, first.Values.Count);
        Assert.Empty(rest);
        Assert.Equal(3, handler.ApiCalls);
    }

    [Fact]
    public async Task A_400_at_an_offset_given_by_the_caller_is_an_error()
    {
        var handler = IdentityServer(250, badRequestAtEnd: true);
        using var client = TestClients.Create(handler);

        var failure = await Assert.ThrowsAsync<SailPointException>(async () =>
            await client.GetPotentialRoleIdentitiesAsync("s1", "p1", new CollectionQuery { Offset = 250 }).AsPages().ToListAsync());

        Assert.Equal(HttpStatusCode.BadRequest, failure.Status);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("")]
    [InlineData("250")]
    [InlineData("offset:-1")]
    public void A_continuation_token_this_client_did_not_give_is_refused(string token)
    {
        using var client = TestClients.Create(new StubHandler());

        var failure = Assert.Throws<ArgumentException>(() => client.GetSessionsAsync().AsPages(token));

        Assert.Equal("continuationToken", failure.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(251)]
    public void A_page_size_hint_outside_0_to_250_is_refused(int pageSizeHint)
    {
        using var client = TestClients.Create(new StubHandler());

        Assert.Throws<ArgumentOutOfRangeException>(() => client.GetSessionsAsync().AsPages(pageSizeHint: pageSizeHint));
    }

    [Fact]
    public async Task A_collection_of_known_pages_enumerates_their_items_and_resumes_after_a_token()
    {
        var pageable = AsyncPageable.FromPages<string>([new(["a", "b"], "2"), new(["c"], "3"), new(["d"], null)]);

        Assert.Equal(["a", "b", "c", "d"], await pageable.ToListAsync());
        Assert.Equal(["d"], (await pageable.AsPages("3").ToListAsync()).SelectMany(page => page.Values));
        Assert.Throws<ArgumentException>(() => pageable.AsPages("9"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(251)]
    public async Task A_page_size_outside_1_to_250_is_refused(int pageSize)
    {
        using var client = TestClients.Create(new StubHandler());

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await client.GetSessionsAsync(new CollectionQuery { PageSize = pageSize }).CountAsync());
    }

    [Fact]
    public async Task Cancelling_mid_enumeration_stops_promptly()
    {
        var handler = IdentityServer(10_000);
        using var client = TestClients.Create(handler);
        using var cancellation = new CancellationTokenSource();
        var seen = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var identity in client.GetPotentialRoleIdentitiesAsync("s1", "p1", cancellationToken: cancellation.Token))
            {
                if (++seen == 300)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.Equal(300, seen);
        Assert.Equal(2, handler.ApiCalls);
    }

    [Fact]
    public async Task Cancelling_during_a_slow_page_does_not_wait_for_it()
    {
        var handler = new StubHandler
        {
            Api = async (_, _) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(20));
                return StubHandler.Json(HttpStatusCode.OK, "[]");
            },
        };
        using var client = TestClients.Create(handler);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await client.GetPotentialRoleIdentitiesAsync("s1", "p1", cancellationToken: cancellation.Token).CountAsync());

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"took {started.Elapsed}");
    }

    internal static string Id(int index) => $"identity-{index:D6}";

    /// <summary>A page of <paramref name="count"/> identities from the first.</summary>
    private static HttpResponseMessage Identities(int count) =>
        StubHandler.Json(HttpStatusCode.OK, "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $$"""{"id":"{{Id(i)}}"}""")) + "]");

    private static HttpResponseMessage BadRequest() => StubHandler.Json(HttpStatusCode.BadRequest, """{"detailCode":"400.1 Bad Request Content"}""");

    /// <summary>
    /// Serves <paramref name="total"/> identities by offset/limit, like ISC: with <c>X-Total-Count</c> when asked for
    /// (<paramref name="sendTotal"/>), 400 at the end of the data (<paramref name="badRequestAtEnd"/>), 400 from an offset on
    /// (<paramref name="badRequestFrom"/>, as for a limit the service puts on offsets).
    /// </summary>
    private static StubHandler IdentityServer(int total, bool sendTotal = true, bool badRequestAtEnd = false, int? badRequestFrom = null) => new()
    {
        Api = (request, _) =>
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri!.Query);
            var offset = int.Parse(query["offset"] ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var limit = int.Parse(query["limit"] ?? "250", System.Globalization.CultureInfo.InvariantCulture);
            if (badRequestAtEnd && offset > 0 && offset >= total || offset >= badRequestFrom)
            {
                return Task.FromResult(StubHandler.Json(HttpStatusCode.BadRequest, """{"detailCode":"400.1 Bad Request Content"}"""));
            }

            var json = new StringBuilder("[");
            for (var index = offset; index < Math.Min(total, offset + limit); index++)
            {
                json.Append(index == offset ? string.Empty : ",").Append($$$"""{"id":"{{{Id(index)}}}","name":"Name {{{index}}}","attributes":{"department":"IT"}}""");
            }

            var response = StubHandler.Json(HttpStatusCode.OK, json.Append(']').ToString());
            if (sendTotal && query["count"] == "true")
            {
                response.Headers.TryAddWithoutValidation("X-Total-Count", total.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return Task.FromResult(response);
        },
    };

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
