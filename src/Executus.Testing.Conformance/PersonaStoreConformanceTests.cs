using System.Text.Json;
using Executus.Personas;
using Xunit;

namespace Executus.Testing.Conformance;

/// <summary>
/// The behaviour every <see cref="IPersonaStore"/> must have. Inherit it in a test project, return a fresh, empty store
/// from <see cref="CreateStore"/>, and every fact runs against your store.
/// </summary>
public abstract class PersonaStoreConformanceTests
{
    /// <summary>Creates a new, empty store for one test.</summary>
    /// <returns>The store.</returns>
    protected abstract IPersonaStore CreateStore();

    /// <summary>A full persona to store.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>The persona.</returns>
    protected static Persona Sample(string name = "helper") => new(name)
    {
        Description = "Answers questions",
        Instructions = "Be brief.\nCite sources.",
        Tier = "smart",
        Model = "openai:gpt-4.1-mini",
        Tools = ["clock", "web_fetch"],
        MaxIterations = 7,
        MaxConsecutiveToolErrors = 2,
        Timeout = TimeSpan.FromSeconds(90),
        ModelOptions = new PersonaModelOptions { Temperature = 0.25f, TopP = 0.9f, MaxOutputTokens = 800, StopSequences = ["END"] },
        OutputSchema = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]}""").RootElement,
        AllowedRoles = ["staff"],
        AllowedScopes = ["chat"],
        Metadata = new Dictionary<string, string> { ["owner"] = "ops" },
    };

    /// <summary>Put then get returns every field.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Put_then_get_round_trips_every_field()
    {
        IPersonaStore store = CreateStore();
        Persona stored = await store.PutAsync(Sample());
        Persona? read = await store.GetAsync("helper");

        Assert.NotNull(read);
        Assert.False(string.IsNullOrEmpty(stored.Version));
        Assert.Equal(stored.Version, read.Version);
        AssertSameDefinition(Sample(), read);
    }

    /// <summary>Names are case-insensitive; a missing name reads as null.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Get_is_case_insensitive_and_a_missing_name_is_null()
    {
        IPersonaStore store = CreateStore();
        await store.PutAsync(Sample("Helper"));

        Assert.Equal("Helper", (await store.GetAsync("HELPER"))?.Name);
        Assert.Null(await store.GetAsync("nobody"));
    }

    /// <summary>Every put makes a new version; get returns the latest definition.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Every_put_gives_a_new_version_and_get_returns_the_latest()
    {
        IPersonaStore store = CreateStore();
        Persona first = await store.PutAsync(Sample());
        Persona second = await store.PutAsync(Sample() with { Instructions = "v2" });

        Assert.NotEqual(first.Version, second.Version);
        Persona? read = await store.GetAsync("helper");
        Assert.Equal("v2", read?.Instructions);
        Assert.Equal(second.Version, read?.Version);
        Assert.Single(await store.ListAsync());
    }

    /// <summary>A version string never names two definitions, even across a delete.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_version_is_never_reused_after_a_delete()
    {
        IPersonaStore store = CreateStore();
        Persona first = await store.PutAsync(Sample());
        Assert.True(await store.DeleteAsync("helper"));
        Persona again = await store.PutAsync(Sample() with { Instructions = "other" });

        Assert.NotEqual(first.Version, again.Version);
    }

    /// <summary>List is ordered by name, case-insensitively.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task List_is_ordered_by_name()
    {
        IPersonaStore store = CreateStore();
        await store.PutAsync(Sample("zeta"));
        await store.PutAsync(Sample("Alpha"));
        await store.PutAsync(Sample("mid"));

        Assert.Equal(["Alpha", "mid", "zeta"], (await store.ListAsync()).Select(p => p.Name));
    }

    /// <summary>Delete removes the persona and says whether it did.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Delete_removes_and_reports()
    {
        IPersonaStore store = CreateStore();
        await store.PutAsync(Sample());

        Assert.True(await store.DeleteAsync("HELPER"));
        Assert.False(await store.DeleteAsync("helper"));
        Assert.Null(await store.GetAsync("helper"));
        Assert.Empty(await store.ListAsync());
    }

    /// <summary>A cancelled token cancels every call.</summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task A_cancelled_call_throws()
    {
        IPersonaStore store = CreateStore();
        CancellationToken cancelled = new(true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.PutAsync(Sample(), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.GetAsync("helper", cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.ListAsync(cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.DeleteAsync("helper", cancelled));
    }

    /// <summary>Asserts two personas define the same agent (every field but version and source).</summary>
    /// <param name="expected">The expected persona.</param>
    /// <param name="actual">The actual persona.</param>
    protected static void AssertSameDefinition(Persona expected, Persona actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Description, actual.Description);
        Assert.Equal(expected.Instructions, actual.Instructions);
        Assert.Equal(expected.Tier, actual.Tier);
        Assert.Equal(expected.Model, actual.Model);
        Assert.Equal(expected.Tools, actual.Tools);
        Assert.Equal(expected.MaxIterations, actual.MaxIterations);
        Assert.Equal(expected.MaxConsecutiveToolErrors, actual.MaxConsecutiveToolErrors);
        Assert.Equal(expected.Timeout, actual.Timeout);
        Assert.Equal(expected.ModelOptions?.Temperature, actual.ModelOptions?.Temperature);
        Assert.Equal(expected.ModelOptions?.TopP, actual.ModelOptions?.TopP);
        Assert.Equal(expected.ModelOptions?.MaxOutputTokens, actual.ModelOptions?.MaxOutputTokens);
        Assert.Equal(expected.ModelOptions?.StopSequences ?? [], actual.ModelOptions?.StopSequences ?? []);
        Assert.Equal(expected.OutputSchema?.GetRawText(), actual.OutputSchema?.GetRawText());
        Assert.Equal(expected.AllowedRoles, actual.AllowedRoles);
        Assert.Equal(expected.AllowedScopes, actual.AllowedScopes);
        Assert.Equal(expected.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
    }
}
