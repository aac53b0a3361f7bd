namespace Executus.Tooling;

/// <summary>
/// Refuses a call whose named path arguments would leave a sandbox root: <c>..</c> segments are refused outright,
/// absolute paths must lie inside the root, and every existing component on the way is checked for a symbolic link
/// whose target escapes the root.
/// </summary>
/// <remarks>
/// A check before use cannot stop a link created between the check and the tool's own file access; tools that
/// write into directories other parties control should also open files without following links.
/// </remarks>
public sealed class SandboxPathValidator : IToolArgumentValidator
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string _root;
    private readonly string _realRoot;
    private readonly string[] _argumentNames;

    /// <summary>Initializes a validator.</summary>
    /// <param name="root">The sandbox root directory.</param>
    /// <param name="argumentNames">The arguments holding paths (string or array of strings).</param>
    public SandboxPathValidator(string root, params string[] argumentNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(argumentNames);
        if (argumentNames.Length == 0)
        {
            throw new ArgumentException("Name at least one path argument.", nameof(argumentNames));
        }

        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _realRoot = Path.TrimEndingDirectorySeparator(ResolveReal(_root));
        _argumentNames = argumentNames;
    }

    /// <summary>Gets the sandbox root (full path).</summary>
    public string Root => _root;

    /// <summary>Checks one path against the sandbox.</summary>
    /// <param name="path">The path (relative to the root, or absolute inside it).</param>
    /// <returns>Allow, or deny with a reason.</returns>
    public PermissionDecision Check(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            return PermissionDecision.Deny("the path is empty");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return PermissionDecision.Deny("the path contains a NUL character");
        }

        foreach (string segment in path.Split(['/', '\\']))
        {
            if (segment == "..")
            {
                return PermissionDecision.Deny($"'{path}' contains a '..' segment; paths must stay inside the sandbox");
            }
        }

        string full;
        try
        {
            full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(_root, path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return PermissionDecision.Deny($"'{path}' is not a valid path: {ex.Message}");
        }

        full = Path.TrimEndingDirectorySeparator(full);
        if (!IsInside(full, _root) && !IsInside(full, _realRoot))
        {
            return PermissionDecision.Deny($"'{path}' is outside the sandbox root");
        }

        // Why: a symbolic link inside the root may point anywhere; follow every existing component.
        string relative = Path.GetRelativePath(IsInside(full, _root) ? _root : _realRoot, full);
        string current = IsInside(full, _root) ? _root : _realRoot;
        if (relative == ".")
        {
            return PermissionDecision.Allow;
        }

        foreach (string part in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo? info = Directory.Exists(current) ? new DirectoryInfo(current) : File.Exists(current) ? new FileInfo(current) : null;
            if (info is null)
            {
                if (new FileInfo(current).LinkTarget is not null)
                {
                    // A dangling link: its target does not exist yet, but writing through it would create it outside.
                    string target = Path.GetFullPath(new FileInfo(current).LinkTarget!, Path.GetDirectoryName(current)!);
                    return IsInside(Path.TrimEndingDirectorySeparator(target), _realRoot) || IsInside(target, _root)
                        ? PermissionDecision.Allow
                        : PermissionDecision.Deny($"'{path}' goes through a symbolic link that leaves the sandbox");
                }

                break;
            }

            if (info.LinkTarget is not null)
            {
                FileSystemInfo? resolved = info.ResolveLinkTarget(returnFinalTarget: true);
                string target = Path.TrimEndingDirectorySeparator(resolved?.FullName ?? Path.GetFullPath(info.LinkTarget, Path.GetDirectoryName(current)!));
                if (!IsInside(target, _realRoot) && !IsInside(target, _root))
                {
                    return PermissionDecision.Deny($"'{path}' goes through a symbolic link that leaves the sandbox");
                }

                current = target;
            }
        }

        return PermissionDecision.Allow;
    }

    /// <inheritdoc />
    public ValueTask<PermissionDecision> ValidateAsync(
        RegisteredTool tool, IReadOnlyDictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach ((string name, System.Text.Json.JsonElement value) in ToolArguments.NamedValues(arguments, _argumentNames))
        {
            if (value.ValueKind != System.Text.Json.JsonValueKind.String)
            {
                return ValueTask.FromResult(PermissionDecision.Deny($"argument '{name}' must be a path string"));
            }

            PermissionDecision decision = Check(value.GetString()!);
            if (!decision.IsAllowed)
            {
                return ValueTask.FromResult(PermissionDecision.Deny($"argument '{name}': {decision.Reason}"));
            }
        }

        return ValueTask.FromResult(PermissionDecision.Allow);
    }

    private static bool IsInside(string full, string root) =>
        full.Equals(root, PathComparison) ||
        (full.StartsWith(root, PathComparison) && full.Length > root.Length &&
         (full[root.Length] == Path.DirectorySeparatorChar || full[root.Length] == Path.AltDirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar)));

    private static string ResolveReal(string path)
    {
        // Why: the root itself may be (or sit under) a link, e.g. /tmp -> /private/tmp on macOS.
        DirectoryInfo info = new(path);
        if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            return target.FullName;
        }

        return path;
    }
}
