using System.Collections.Frozen;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace BotHost.Http;

/// <summary>
/// Serves the operator console's pages (<c>/console/…</c>): plain HTML, CSS and JavaScript embedded in this assembly
/// from <c>ConsoleUi/</c>. The pages hold no data and need no key; everything they show comes from
/// <see cref="ConsoleApi"/> with the API key the operator typed (kept in the tab's <c>sessionStorage</c>). Answers carry
/// a strict Content-Security-Policy: only this server's own scripts, styles and API, no inline script, no framing.
/// </summary>
internal static class ConsoleAssets
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, byte[]> Files = Load();

    public static IReadOnlyCollection<string> Names => Files.Keys;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect("/console/"));
        app.MapGet("/console", () => Results.Redirect("/console/"));
        app.MapGet("/console/", (HttpContext http) => Serve(http, "runs.html"));
        app.MapGet("/console/{file}", (HttpContext http, string file) => Serve(http, file));
    }

    private static IResult Serve(HttpContext http, string file)
    {
        if (!Files.TryGetValue(file, out byte[]? content))
        {
            return Results.NotFound();
        }

        IHeaderDictionary headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(content, ContentTypes[Path.GetExtension(file)]);
    }

    private static FrozenDictionary<string, byte[]> Load()
    {
        Assembly assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            string file = name["console/".Length..];
            if (!ContentTypes.ContainsKey(Path.GetExtension(file)))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[file] = copy.ToArray();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
