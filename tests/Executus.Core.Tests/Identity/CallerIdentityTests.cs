using Executus.Identity;

namespace Executus.Core.Tests.Identity;

public class CallerIdentityTests
{
    [Fact]
    public void Anonymous_is_the_default_and_has_nothing()
    {
        CallerIdentity anonymous = CallerIdentity.Anonymous;
        Assert.True(anonymous.IsAnonymous);
        Assert.Null(anonymous.TenantKey);
        Assert.Empty(anonymous.Roles);
        Assert.Empty(anonymous.Scopes);
        Assert.Equal("anonymous", anonymous.FairnessKey);
    }

    [Fact]
    public async Task Anonymous_resolver_answers_anonymous_and_honours_cancellation()
    {
        Assert.Same(CallerIdentity.Anonymous, await AnonymousCallerIdentityResolver.Instance.ResolveAsync(CallerResolutionContext.Empty));
        await Assert.ThrowsAsync<OperationCanceledException>(
            async () => await AnonymousCallerIdentityResolver.Instance.ResolveAsync(CallerResolutionContext.Empty, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Roles_and_scopes_compare_case_insensitively()
    {
        var caller = new CallerIdentity("u1", roles: ["Admin"], scopes: ["tools:web"]);
        Assert.True(caller.HasRole("admin"));
        Assert.True(caller.HasScope("TOOLS:WEB"));
        Assert.False(caller.HasRole("owner"));
        Assert.Equal("u1", caller.DisplayName);
    }

    [Fact]
    public void Fairness_key_prefers_the_tenant()
    {
        Assert.Equal("guild-9", new CallerIdentity("u1", tenantKey: "guild-9").FairnessKey);
        Assert.Equal("u1", new CallerIdentity("u1", tenantKey: " ").FairnessKey);
        Assert.Equal("u1@t", new CallerIdentity("u1").WithTenant("t").ToString());
    }

    [Fact]
    public void Equality_compares_contents_not_references()
    {
        var a = new CallerIdentity("u1", "U", "t", ["r1", "r2"], ["s"], [new("k", "v")]);
        var b = new CallerIdentity("u1", "U", "t", ["R2", "r1"], ["s"], [new("k", "v")]);
        var c = new CallerIdentity("u1", "U", "t", ["r1"], ["s"], [new("k", "v")]);
        var d = new CallerIdentity("u1", "U", "t", ["r1", "r2"], ["s"], [new("k", "other")]);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, d);
        Assert.False(a.Equals(null));
    }

    [Fact]
    public void Blank_ids_are_rejected() => Assert.Throws<ArgumentException>(() => new CallerIdentity(" "));
}
