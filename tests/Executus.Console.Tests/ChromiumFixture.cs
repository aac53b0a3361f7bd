using Microsoft.Playwright;

namespace Executus.Console.Tests;

/// <summary>
/// One headless Debian Chromium for the test class, driven by Playwright's bundled node driver. The browser is the
/// machine's (<c>/usr/bin/chromium</c>, or <c>EXECUTUS_CHROMIUM</c>); none is ever downloaded. Without it every test
/// fails with the reason — they never skip.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Gets where screenshots go: <c>TestResults/console-screenshots</c> at the repository root.</summary>
    public string ScreenshotDir { get; } = FindScreenshotDir();

    public static string ChromiumPath => Environment.GetEnvironmentVariable("EXECUTUS_CHROMIUM") is { Length: > 0 } path ? path : DefaultChromium;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {ChromiumPath}. These browser tests drive the machine's Chromium and never download one: " +
                "install it with `apt-get install -y chromium` (.ci/run does this when it is missing) or point EXECUTUS_CHROMIUM at a Chromium binary.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Why: CI runs as root in a container, where Chromium's sandbox cannot start and /dev/shm is small.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            Timeout = 120_000,
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }

    private static string FindScreenshotDir()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Executus.sln")))
            {
                return Path.Combine(dir.FullName, "TestResults", "console-screenshots");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "console-screenshots");
    }
}
