using Executus.Configuration;

namespace Executus.Core.Tests.Configuration;

public class ConfigSourceExtensionsTests
{
    private static InMemoryConfigSource With(string key, string value) => new([new(key, value)]);

    [Fact]
    public void Missing_keys_yield_the_defaults()
    {
        var source = new InMemoryConfigSource();
        Assert.Equal(7, source.GetInt("A", 7));
        Assert.Equal(7L, source.GetLong("A", 7));
        Assert.Equal(1.5, source.GetDouble("A", 1.5));
        Assert.True(source.GetBool("A", true));
        Assert.Equal(TimeSpan.FromSeconds(3), source.GetDuration("A", TimeSpan.FromSeconds(3)));
        Assert.Empty(source.GetList("A"));
        Assert.Equal(["x"], source.GetList("A", ["x"]));
        Assert.Equal("d", source.GetString("A", "d"));
        Assert.Null(source.GetString("A"));
        Assert.Equal(DayOfWeek.Friday, source.GetEnum("A", DayOfWeek.Friday));
    }

    [Fact]
    public void Blank_values_count_as_missing()
    {
        Assert.Equal(7, With("A", "   ").GetInt("A", 7));
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData(" -3 ", -3)]
    [InlineData("+8", 8)]
    public void GetInt_parses_integers(string raw, int expected) => Assert.Equal(expected, With("K", raw).GetInt("K", 0));

    [Theory]
    [InlineData("abc")]
    [InlineData("4.5")]
    [InlineData("1,000")]
    [InlineData("99999999999")]
    [InlineData("0x10")]
    public void GetInt_rejects_malformed_values_naming_key_and_value(string raw)
    {
        var ex = Assert.Throws<ConfigException>(() => With("Executus:Lanes:a:MaxConcurrency", raw).GetInt("Executus:Lanes:a:MaxConcurrency", 1));
        Assert.Equal("Executus:Lanes:a:MaxConcurrency", ex.Key);
        Assert.Equal(raw.Trim(), ex.Value);
        Assert.Contains("Executus:Lanes:a:MaxConcurrency", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{raw.Trim()}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("integer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInt_enforces_the_range_and_says_so()
    {
        var ex = Assert.Throws<ConfigException>(() => With("K", "0").GetInt("K", 1, min: 1, max: 64));
        Assert.Contains("between 1 and 64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("at least 1", Assert.Throws<ConfigException>(() => With("K", "0").GetInt("K", 1, min: 1)).Message, StringComparison.Ordinal);
        Assert.Equal(64, With("K", "64").GetInt("K", 1, min: 1, max: 64));
    }

    [Fact]
    public void GetLong_rejects_out_of_range() =>
        Assert.Throws<ConfigException>(() => With("K", "99999999999999999999").GetLong("K", 0));

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("1e3", 1000)]
    [InlineData("-2", -2)]
    public void GetDouble_parses_with_the_invariant_culture(string raw, double expected) =>
        Assert.Equal(expected, With("K", raw).GetDouble("K", 0));

    [Theory]
    [InlineData("0,5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("half")]
    public void GetDouble_rejects_malformed_and_non_finite(string raw) =>
        Assert.Throws<ConfigException>(() => With("K", raw).GetDouble("K", 0));

    [Fact]
    public void GetDouble_enforces_the_range() =>
        Assert.Throws<ConfigException>(() => With("K", "1.5").GetDouble("K", 0, min: 0, max: 1));

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("yes", true)]
    [InlineData("On", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    [InlineData("off", false)]
    public void GetBool_accepts_the_usual_spellings(string raw, bool expected) =>
        Assert.Equal(expected, With("K", raw).GetBool("K", !expected));

    [Theory]
    [InlineData("2")]
    [InlineData("enabled")]
    [InlineData("y")]
    public void GetBool_rejects_anything_else(string raw)
    {
        var ex = Assert.Throws<ConfigException>(() => With("Executus:Flag", raw).GetBool("Executus:Flag", false));
        Assert.Contains("boolean", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Executus:Flag", ex.Key);
    }

    [Theory]
    [InlineData("00:00:30", 30)]
    [InlineData("01:00:00", 3600)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 1.5)]
    [InlineData("250ms", 0.25)]
    [InlineData("0s", 0)]
    [InlineData(" 10s ", 10)]
    public void GetDuration_accepts_timespans_and_unit_suffixes(string raw, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), With("K", raw).GetDuration("K", TimeSpan.MaxValue));

    [Theory]
    [InlineData("30")]
    [InlineData("30x")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("-00:00:30")]
    [InlineData("5 m")]
    [InlineData("1h-30m")]
    [InlineData("99:99:99")]
    [InlineData("10S")]
    [InlineData("9999999999999d")]
    public void GetDuration_rejects_malformed_and_negative(string raw)
    {
        var ex = Assert.Throws<ConfigException>(() => With("Executus:Runs:Timeout", raw).GetDuration("Executus:Runs:Timeout", TimeSpan.Zero));
        Assert.Contains("duration", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Executus:Runs:Timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetList_splits_trims_and_drops_empty_items() =>
        Assert.Equal(["openai:gpt-4.1", "ollama:qwen3"], With("K", " openai:gpt-4.1 ,, ollama:qwen3 ,").GetList("K"));

    [Fact]
    public void GetEnum_parses_names_case_insensitively_and_rejects_numbers()
    {
        Assert.Equal(DayOfWeek.Monday, With("K", "monday").GetEnum("K", DayOfWeek.Sunday));
        var ex = Assert.Throws<ConfigException>(() => With("K", "1").GetEnum("K", DayOfWeek.Sunday));
        Assert.Contains("Monday", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => With("K", "Funday").GetEnum("K", DayOfWeek.Sunday));
    }

    [Theory]
    [InlineData("Drain,CancelQueued")]
    [InlineData("Drain, Drain")]
    [InlineData("+1")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData(" 1 ")]
    public void GetEnum_of_a_plain_enum_takes_exactly_one_defined_name(string raw)
    {
        var ex = Assert.Throws<ConfigException>(() => With("Executus:Lanes:x:ShutdownMode", raw).GetEnum("Executus:Lanes:x:ShutdownMode", Executus.Lanes.LaneShutdownMode.Drain));
        Assert.Contains("exactly one of Drain, CancelQueued", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Executus.Lanes.LaneShutdownMode.CancelQueued, With("K", "cancelqueued").GetEnum("K", Executus.Lanes.LaneShutdownMode.Drain));
    }

    [Fact]
    public void GetEnum_of_a_flags_enum_combines_defined_names_only()
    {
        Assert.Equal(FileAccess.ReadWrite, With("K", "read, WRITE").GetEnum("K", FileAccess.Read));
        Assert.Equal(FileAccess.Write, With("K", "Write").GetEnum("K", FileAccess.Read));
        Assert.Throws<ConfigException>(() => With("K", "Read,3").GetEnum("K", FileAccess.Read));
        Assert.Throws<ConfigException>(() => With("K", "Read,,Write").GetEnum("K", FileAccess.Read));
        Assert.Throws<ConfigException>(() => With("K", "3").GetEnum("K", FileAccess.Read));
    }

    [Theory]
    [InlineData("0ms", "a positive duration")]
    [InlineData("0s", "a positive duration")]
    [InlineData("00:00:00", "a positive duration")]
    [InlineData("30d", "of at most 24.20:31:23.6470000")]
    public void GetDuration_with_a_range_reports_the_configured_text(string raw, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => With("Executus:X:Timeout", raw).GetDuration("Executus:X:Timeout", TimeSpan.FromSeconds(1), TimeSpan.FromTicks(1), TimeSpan.FromMilliseconds(int.MaxValue)));
        Assert.Contains($"'{raw}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(raw, ex.Value);
        Assert.Equal(TimeSpan.FromSeconds(2), With("K", "2s").GetDuration("K", TimeSpan.Zero, TimeSpan.FromTicks(1), TimeSpan.MaxValue));
    }

    [Theory]
    [InlineData("Executus:Providers:openai:ApiKey")]
    [InlineData("Executus:Providers:local:apikey")]
    [InlineData("Db:ConnectionString")]
    [InlineData("ConnectionStrings:Main")]
    [InlineData("Http:Authorization")]
    [InlineData("Azure:Credential")]
    [InlineData("Azure:ClientCredentials")]
    [InlineData("Db:Pwd")]
    [InlineData("Db:Password")]
    [InlineData("Api:Bearer")]
    [InlineData("Web:Cookie")]
    [InlineData("Storage:Sas")]
    [InlineData("Storage:SASToken")]
    [InlineData("Webhook:Signature")]
    [InlineData("Tls:PrivateKey")]
    [InlineData("Tls:CertificatePassword")]
    [InlineData("Tls:Certificate")]
    [InlineData("Bot:Token")]
    [InlineData("Executus__Providers__openai__API_KEY")]
    [InlineData("Api:x-api-key")]
    [InlineData("App:Secret")]
    [InlineData("Jwt:SigningKey")]
    public void Secret_keys_are_recognised_on_their_last_segment(string key)
    {
        Assert.True(ConfigException.IsSecretKey(key), key);
        var ex = new ConfigException(key, "hunter2-value", "something");
        Assert.DoesNotContain("hunter2-value", ex.Message, StringComparison.Ordinal);
        Assert.Equal("<redacted>", ex.Value);
    }

    [Theory]
    [InlineData("Executus:Runs:DefaultTimeout")]
    [InlineData("Executus:Budget:MaxTokens")]
    [InlineData("Executus:Secrets:Timeout")]
    [InlineData("Executus:Providers:openai:BaseUrl")]
    [InlineData("Executus:Net:Ssrf:MaxRedirects")]
    [InlineData("Executus:Models:Tiers:smart")]
    public void Ordinary_keys_are_shown(string key)
    {
        Assert.False(ConfigException.IsSecretKey(key), key);
        Assert.Contains("'plain-value'", new ConfigException(key, "plain-value", "something").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetRequiredString_names_the_missing_key()
    {
        var ex = Assert.Throws<ConfigException>(() => new InMemoryConfigSource().GetRequiredString("Executus:Models:Tiers:smart"));
        Assert.Contains("'Executus:Models:Tiers:smart' is missing", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.Value);
        Assert.Equal("v", With("K", " v ").GetRequiredString("K"));
    }

    [Fact]
    public void Secret_looking_values_are_redacted_in_errors()
    {
        var ex = Assert.Throws<ConfigException>(() => With("Executus:Providers:openai:ApiKey", "sk-very-secret").GetInt("Executus:Providers:openai:ApiKey", 0));
        Assert.DoesNotContain("sk-very-secret", ex.Message, StringComparison.Ordinal);
        Assert.Equal("<redacted>", ex.Value);
    }

    [Fact]
    public void Readers_read_at_use_so_changes_are_seen()
    {
        var source = new InMemoryConfigSource();
        Assert.Equal(1, source.GetInt("K", 1));
        source.Set("K", "2");
        Assert.Equal(2, source.GetInt("K", 1));
        source.Set("K", null);
        Assert.Equal(1, source.GetInt("K", 1));
    }

    [Fact]
    public void Null_and_blank_keys_are_argument_errors()
    {
        var source = new InMemoryConfigSource();
        Assert.Throws<ArgumentNullException>(() => source.GetInt(null!, 0));
        Assert.Throws<ArgumentException>(() => source.GetInt(" ", 0));
        Assert.Throws<ArgumentNullException>(() => ConfigSourceExtensions.GetInt(null!, "K", 0));
    }
}
