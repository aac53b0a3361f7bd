using System.Text.Json;
using Executus.Auditing;
using Executus.Batteries.Audit;

namespace Executus.Batteries.Audit.Tests;

public class DefaultAuditRedactorTests
{
    [Theory]
    [InlineData("password", true)]
    [InlineData("api_key", true)]
    [InlineData("apiKey", true)]
    [InlineData("X-Api-Key", true)]
    [InlineData("Authorization", true)]
    [InlineData("access_token", true)]
    [InlineData("client_secret", true)]
    [InlineData("key", true)]
    [InlineData("url", false)]
    [InlineData("query", false)]
    [InlineData("path", false)]
    [InlineData("i", false)]
    [InlineData("id", false)]
    [InlineData("pwd", true)]
    [InlineData("AUTH", true)]
    [InlineData("token", true)] // a name exactly as long as its fragment
    [InlineData("Cookie", true)]
    [InlineData("to_ken", true)] // as long as the fragment once '_' is dropped
    [InlineData("tokens", true)]
    [InlineData("toke", false)]
    public void Recognises_secret_looking_keys(string key, bool secret) => Assert.Equal(secret, DefaultAuditRedactor.IsSecretKey(key));

    [Fact]
    public void Masks_secret_data_and_nested_json_and_truncates_long_values()
    {
        var redactor = new DefaultAuditRedactor(maxValueLength: 32);
        var original = new AuditEvent(AuditEventKind.ToolCall, DateTimeOffset.UnixEpoch)
        {
            Detail = new string('d', 100),
            Data = new Dictionary<string, string>
            {
                ["token"] = "abc",
                ["arguments"] = """{"items":[{"secret":"s1"},{"note":"fine"}],"nested":{"password":"p"}}""",
                ["body"] = new string('b', 40),
            },
        };

        AuditEvent redacted = redactor.Redact(original);

        Assert.Equal("***", redacted.Data["token"]);
        using JsonDocument args = JsonDocument.Parse(redacted.Data["arguments"]);
        Assert.Equal("***", args.RootElement.GetProperty("items")[0].GetProperty("secret").GetString());
        Assert.Equal("fine", args.RootElement.GetProperty("items")[1].GetProperty("note").GetString());
        Assert.Equal("***", args.RootElement.GetProperty("nested").GetProperty("password").GetString());
        Assert.StartsWith(new string('b', 32) + "…[truncated 8 chars]", redacted.Data["body"], StringComparison.Ordinal);
        Assert.Equal(new string('d', 32) + "…[truncated 68 chars]", redacted.Detail);
        Assert.Equal("abc", original.Data["token"]); // the run's own event is untouched
    }

    [Fact]
    public void Returns_the_same_event_when_nothing_needs_redaction()
    {
        var redactor = new DefaultAuditRedactor();
        var original = new AuditEvent(AuditEventKind.ModelCall, DateTimeOffset.UnixEpoch) { Detail = "ok", Data = new Dictionary<string, string> { ["model"] = "m" } };
        Assert.Same(original, redactor.Redact(original));
    }

    [Fact]
    public void Redacts_a_json_element()
    {
        var redactor = new DefaultAuditRedactor();
        using JsonDocument doc = JsonDocument.Parse("""{"url":"https://x","headers":{"authorization":"Bearer t"}}""");
        JsonElement redacted = redactor.RedactJson(doc.RootElement);
        Assert.Equal("***", redacted.GetProperty("headers").GetProperty("authorization").GetString());
        Assert.Equal("https://x", redacted.GetProperty("url").GetString());
    }

    [Fact]
    public void Masks_secrets_in_the_tool_arguments_of_an_event()
    {
        var redactor = new DefaultAuditRedactor();
        using JsonDocument doc = JsonDocument.Parse("""{"query":"weather","client_secret":"s3cr3t","opts":{"token":"t"}}""");
        var original = new AuditEvent(AuditEventKind.ToolCall, DateTimeOffset.UnixEpoch) { ToolName = "search", Arguments = doc.RootElement.Clone() };

        AuditEvent redacted = redactor.Redact(original);

        Assert.Equal("weather", redacted.Arguments!.Value.GetProperty("query").GetString());
        Assert.Equal("***", redacted.Arguments!.Value.GetProperty("client_secret").GetString());
        Assert.Equal("***", redacted.Arguments!.Value.GetProperty("opts").GetProperty("token").GetString());
        Assert.Equal("s3cr3t", original.Arguments!.Value.GetProperty("client_secret").GetString());
    }

    [Theory]
    [InlineData(AuditEventKind.BudgetRefused, AuditOutcomes.Refused)]
    [InlineData(AuditEventKind.BudgetWarning, AuditOutcomes.Warning)]
    [InlineData(AuditEventKind.DispatchGuardTripped, AuditOutcomes.Denied)]
    [InlineData(AuditEventKind.ToolDenied, AuditOutcomes.Denied)]
    [InlineData(AuditEventKind.ModelCall, AuditOutcomes.Success)]
    [InlineData(AuditEventKind.RunStarted, null)]
    public void Outcomes_are_filed_by_kind(AuditEventKind kind, string? outcome) =>
        Assert.Equal(outcome, AuditOutcomes.Of(new AuditEvent(kind, DateTimeOffset.UnixEpoch)));
}
