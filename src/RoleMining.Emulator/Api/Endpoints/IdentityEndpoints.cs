using System.Globalization;
using RoleMining.Emulator.Api.Contracts;
using RoleMining.Emulator.Api.Querying;
using static RoleMining.Emulator.Api.Endpoints.EndpointHelpers;

namespace RoleMining.Emulator.Api.Endpoints;

/// <summary>
/// <c>.../potential-roles/{potentialRoleId}/identities</c> (filter <c>name: sw</c>, sorter <c>name</c>). Identity
/// names increase with the index, so a page costs O(page + log n): <c>name sw</c> (and conjunctions of it) is a
/// contiguous index range found by binary search, and <c>-name</c> reads that range backwards. Other filter shapes
/// (<c>or</c>, <c>not</c>) fall back to a scan.
/// </summary>
internal static class IdentityEndpoints
{
    /// <summary>Items are identity indexes; <see cref="IndexedName.Role"/> is set per request through a closure-free lookup.</summary>
    private static readonly CollectionDefinition<IndexedName> Collection = new()
    {
        FilterFields = new Dictionary<string, FilterField<IndexedName>>(StringComparer.Ordinal)
        {
            ["name"] = new(FieldKind.String, ["sw"], item => EmulatorTenant.GetIdentityName(item.Role, item.Index)),
        },
        SortFields = new Dictionary<string, Comparison<IndexedName>>(StringComparer.Ordinal)
        {
            ["name"] = (a, b) => a.Index.CompareTo(b.Index),
        },
    };

    public static RequestDelegate List { get; } = Handle(async (context, services) =>
    {
        var paging = Paging.Parse(context.Request.Query);
        var filterText = OptionalQuery(context, "filters");
        var filter = Collection.CompileFilter(filterText);
        var sorters = Collection.ParseSorters(OptionalQuery(context, "sorters"));
        if (await FindPotentialRoleAsync(context, services) is not { } role)
        {
            return;
        }

        var descending = sorters.Count > 0 && sorters[0].Descending;
        var matches = Select(role, filterText is null ? null : FilterParser.Parse(filterText), filter);
        CheckOffsetAtEnd(context, services, paging, matches.Count);
        if (paging.Count)
        {
            context.Response.Headers["X-Total-Count"] = matches.Count.ToString(CultureInfo.InvariantCulture);
        }

        var pageSize = (int)Math.Clamp(matches.Count - (long)paging.Offset, 0, paging.Limit);
        var page = new IdentityDto[pageSize];
        for (var i = 0; i < pageSize; i++)
        {
            var position = paging.Offset + i;
            var index = matches.IndexAt(descending ? matches.Count - 1 - position : position);
            page[i] = DtoMapper.ToIdentity(services.Tenant, services.Tenant.GetIdentity(role, index));
        }

        await context.Response.WriteAsJsonAsync<IReadOnlyList<IdentityDto>>(
            page, EmulatorJson.Context.IReadOnlyListIdentityDto, JsonContentType, context.RequestAborted);
    });

    private static Matches Select(TenantPotentialRole role, FilterExpression? expression, Func<IndexedName, bool>? filter)
    {
        if (expression is null)
        {
            return Matches.Range(0, role.IdentityCount);
        }

        if (TryPrefixes(expression, out var prefixes))
        {
            var (start, end) = (0, role.IdentityCount);
            foreach (var prefix in prefixes)
            {
                var (prefixStart, prefixEnd) = PrefixRange(role, prefix);
                (start, end) = (Math.Max(start, prefixStart), Math.Min(end, prefixEnd));
            }

            return Matches.Range(start, Math.Max(start, end));
        }

        var indexes = new List<int>();
        for (var index = 0; index < role.IdentityCount; index++)
        {
            if (filter!(new IndexedName(role, index)))
            {
                indexes.Add(index);
            }
        }

        return Matches.List(indexes);
    }

    /// <summary>True when the filter is <c>name sw "a"</c> or an <c>and</c> of such terms.</summary>
    private static bool TryPrefixes(FilterExpression expression, out List<string> prefixes)
    {
        prefixes = [];
        return Collect(expression, prefixes);

        static bool Collect(FilterExpression node, List<string> into) => node switch
        {
            AndFilter and => Collect(and.Left, into) && Collect(and.Right, into),
            ComparisonFilter { Field: "name", Operator: "sw", Values: [{ Kind: FilterLiteralKind.String } literal] } => Add(into, literal.Text),
            _ => false,
        };

        static bool Add(List<string> into, string prefix)
        {
            into.Add(prefix);
            return true;
        }
    }

    /// <summary>The index range whose names start with <paramref name="prefix"/> (ignoring case), by binary search.</summary>
    private static (int Start, int End) PrefixRange(TenantPotentialRole role, string prefix)
    {
        var start = FirstIndex(0, role.IdentityCount, i => string.Compare(EmulatorTenant.GetIdentityName(role, i), prefix, StringComparison.OrdinalIgnoreCase) >= 0);
        var end = FirstIndex(start, role.IdentityCount, i => !EmulatorTenant.GetIdentityName(role, i).StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        return (start, end);
    }

    /// <summary>The first index in [low, high) where the monotone <paramref name="predicate"/> holds, or high.</summary>
    private static int FirstIndex(int low, int high, Func<int, bool> predicate)
    {
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (predicate(middle))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }

    private readonly record struct IndexedName(TenantPotentialRole Role, int Index);

    /// <summary>The matching identity indexes in name order: a range, or a list after a scan.</summary>
    private sealed class Matches
    {
        private int _start;
        private List<int>? _indexes;

        public int Count { get; private init; }

        public static Matches Range(int start, int end) => new() { _start = start, Count = end - start };

        public static Matches List(List<int> indexes) => new() { _indexes = indexes, Count = indexes.Count };

        public int IndexAt(int position) => _indexes is null ? _start + position : _indexes[position];
    }
}
