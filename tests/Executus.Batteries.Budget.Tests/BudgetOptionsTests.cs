using Executus.Batteries.Budget;
using Executus.Configuration;

namespace Executus.Batteries.Budget.Tests;

public class BudgetOptionsTests
{
    private static InMemoryConfigSource Config(params (string Key, string Value)[] values)
    {
        var config = new InMemoryConfigSource();
        foreach ((string key, string value) in values)
        {
            config.Set(key, value);
        }

        return config;
    }

    [Fact]
    public void Defaults_without_configuration()
    {
        BudgetOptions options = BudgetOptions.FromConfig(new InMemoryConfigSource());
        Assert.Equal(TimeSpan.FromDays(7), options.Window);
        Assert.Empty(options.Limits);
        Assert.Equal(80, options.SoftLimitPercent);
        Assert.Equal(BudgetEstimateMode.PreviousCall, options.Estimate);
        Assert.Equal(TimeSpan.FromMinutes(10), options.ReservationTimeout);
        Assert.False(options.ShowRemainingToModel);
    }

    [Fact]
    public void Reads_every_scope_with_token_and_money_limits()
    {
        BudgetOptions options = BudgetOptions.FromConfig(Config(
            ("Executus:Budget:Window", "1d"),
            ("Executus:Budget:Scopes", "global, tenant, tenant:acme, caller, agent:writer"),
            ("Executus:Budget:Limits:global:Money", "100"),
            ("Executus:Budget:Limits:tenant:Tokens", "50000"),
            ("Executus:Budget:Limits:tenant:acme:Money", "25.50"),
            ("Executus:Budget:Limits:tenant:acme:Tokens", "900000"),
            ("Executus:Budget:Limits:tenant:acme:SoftPercent", "90"),
            ("Executus:Budget:Limits:caller:Tokens", "1000"),
            ("Executus:Budget:Limits:agent:writer:Money", "3"),
            ("Executus:Budget:Estimate", "maxoutputtokens"),
            ("Executus:Budget:ShowRemainingToModel", "true")));

        Assert.Equal(TimeSpan.FromDays(1), options.Window);
        Assert.Equal(BudgetEstimateMode.MaxOutputTokens, options.Estimate);
        Assert.True(options.ShowRemainingToModel);
        Assert.Equal(
            ["global", "tenant", "tenant:acme", "caller", "agent:writer"],
            options.Limits.Select(l => l.ToString()));
        BudgetLimit acme = options.Limits[2];
        Assert.Equal(25.50m, acme.MaxCost);
        Assert.Equal(900_000, acme.MaxTokens);
        Assert.Equal(90, acme.SoftLimitPercent);
        Assert.Equal(100m, options.Limits[0].MaxCost);
        Assert.Null(options.Limits[0].MaxTokens);
    }

    [Theory]
    [InlineData("team")]
    [InlineData("global, tenants")]
    [InlineData("global:x")]
    [InlineData("caller:")]
    public void An_unknown_scope_names_the_key(string scopes)
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => BudgetOptions.FromConfig(Config(("Executus:Budget:Scopes", scopes), ("Executus:Budget:Limits:global:Tokens", "1"))));
        Assert.Equal("Executus:Budget:Scopes", ex.Key);
    }

    [Theory]
    [InlineData("Executus:Budget:Limits:tenant:Tokens", "-1")]
    [InlineData("Executus:Budget:Limits:tenant:Tokens", "lots")]
    [InlineData("Executus:Budget:Limits:tenant:Money", "-0.01")]
    [InlineData("Executus:Budget:Limits:tenant:Money", "5 dollars")]
    [InlineData("Executus:Budget:Limits:tenant:SoftPercent", "120")]
    public void A_negative_or_malformed_limit_names_the_key(string key, string value)
    {
        InMemoryConfigSource config = Config(("Executus:Budget:Scopes", "tenant"), ("Executus:Budget:Limits:tenant:Tokens", "10"), (key, value));
        ConfigException ex = Assert.Throws<ConfigException>(() => BudgetOptions.FromConfig(config));
        Assert.Equal(key, ex.Key);
    }

    [Fact]
    public void A_listed_scope_without_a_limit_names_the_key()
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => BudgetOptions.FromConfig(Config(("Executus:Budget:Scopes", "caller:alice"))));
        Assert.Equal("Executus:Budget:Limits:caller:alice:Tokens", ex.Key);
    }

    [Theory]
    [InlineData("Executus:Budget:Window", "0s")]
    [InlineData("Executus:Budget:Window", "a week")]
    [InlineData("Executus:Budget:ReservationTimeout", "0s")]
    [InlineData("Executus:Budget:Estimate", "guess")]
    [InlineData("Executus:Budget:FixedEstimateTokens", "-5")]
    [InlineData("Executus:Budget:SoftLimitPercent", "101")]
    public void Other_bad_values_name_the_key(string key, string value)
    {
        ConfigException ex = Assert.Throws<ConfigException>(() => BudgetOptions.FromConfig(Config((key, value))));
        Assert.Equal(key, ex.Key);
    }

    [Fact]
    public void Code_set_limits_reject_negative_or_empty_limits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetLimit(BudgetScope.Tenant, null, -1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BudgetLimit(BudgetScope.Tenant, null, null, -1m));
        Assert.Throws<ArgumentException>(() => new BudgetLimit(BudgetScope.Tenant, null, null, null));
    }

    [Fact]
    public void A_specific_account_limit_wins_over_the_scope_wide_one()
    {
        BudgetLimit[] limits = [new(BudgetScope.Tenant, null, 100, null), new(BudgetScope.Tenant, "acme", 5, null), new(BudgetScope.Caller, null, 7, null)];
        Assert.Equal(5, BudgetScopes.LimitFor(limits, BudgetScopeKey.Tenant("acme"))!.MaxTokens);
        Assert.Equal(100, BudgetScopes.LimitFor(limits, BudgetScopeKey.Tenant("other"))!.MaxTokens);
        Assert.Null(BudgetScopes.LimitFor(limits, BudgetScopeKey.Agent("a")));
    }
}
