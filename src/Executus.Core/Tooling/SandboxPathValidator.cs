using System.Text.Json;

namespace Executus.Tooling;

/// <summary>
/// Refuses a call whose named path arguments would reach anything outside a sandbox root, or anything inside it that
/// is not a regular file or a directory.
/// </summary>
/// <remarks>
/// <para>What it guarantees, at the moment of the check:</para>
/// <list type="bullet">
/// <item><description>The path is resolved as the operating system resolves it (<c>realpath</c> semantics): component
/// by component from the real sandbox root, each symbolic link's target read and resolved relative to the directory
/// that holds the link, repeatedly, at most <see cref="MaxSymbolicLinkHops"/> links. A <c>..</c> inside a link target
/// steps to the parent of the directory actually reached (never a textual collapse), so <c>hop -&gt; .</c> plus
/// <c>trick -&gt; hop/../outside/secret.txt</c> resolves outside and is refused. The final real path must lie inside
/// the real root (the root with its own links resolved once, at construction).</description></item>
/// <item><description>A <c>..</c> segment in the argument itself, a NUL character, an empty path and an absolute path
/// outside the root are refused before any file system access.</description></item>
/// <item><description>A symbolic link is followed only while the resolution is still inside the root, so links that
/// live outside it (including the <c>/proc/self/…</c> "magic" links) are never followed.</description></item>
/// <item><description>A dangling link is resolved like any other: a tool that creates a file through it would create
/// the link's target, which must lie inside the root. A missing component followed by <c>..</c> is refused.</description></item>
/// <item><description>The entry reached must be a regular file, a directory, or not exist yet: FIFOs (which would block
/// a reading tool forever), sockets and character or block devices (<c>/dev/zero</c> would exhaust memory) are
/// refused. With <see cref="RefuseHardLinks"/>, a regular file with more than one hard link is refused (a hard link
/// may name a file outside the root). With <see cref="RefuseSymbolicLinks"/>, any symbolic link on the way is refused.</description></item>
/// </list>
/// <para>File kinds and link counts come from <c>statx(2)</c> on Linux. On Windows, where ordinary folders hold no
/// FIFOs or devices, every non-directory counts as a file; on other systems .NET cannot tell a regular file from a
/// special one, so special files are not detected there and <see cref="RefuseHardLinks"/> refuses every file
/// (fails closed).</para>
/// <para>The one known limit: this is a check before use (time of check to time of use). Whoever can change the
/// sandbox's contents WHILE a call runs can swap a checked component for a link between this check and the tool's own
/// open. Tools working in directories that other parties write to concurrently should also open with no-follow
/// semantics, or run in a container whose file system holds only the sandbox.</para>
/// </remarks>
public sealed class SandboxPathValidator : IToolArgumentValidator
{
    /// <summary>The most symbolic links followed while resolving one path (Linux's own limit, <c>MAXSYMLINKS</c>).</summary>
    public const int MaxSymbolicLinkHops = 40;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static readonly char[] Separators = OperatingSystem.IsWindows() ? ['\\', '/'] : ['/'];

    private readonly string _root;
    private readonly string[] _argumentNames;
    private string? _realRoot;

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
        _argumentNames = argumentNames;
        _realRoot = TryResolveRoot();
    }

    /// <summary>Gets the sandbox root (full path).</summary>
    public string Root => _root;

    /// <summary>Gets or sets a value indicating whether any symbolic link on a path refuses it (default: links are followed and checked).</summary>
    public bool RefuseSymbolicLinks { get; init; }

    /// <summary>Gets or sets a value indicating whether a regular file with more than one hard link is refused.</summary>
    public bool RefuseHardLinks { get; init; }

    /// <summary>Checks one path against the sandbox.</summary>
    /// <param name="path">The path (relative to the root, or absolute inside it).</param>
    /// <returns>Allow, or deny with a reason (echoing at most 200 characters of the path).</returns>
    public PermissionDecision Check(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
        {
            return PermissionDecision.Deny("the path is empty");
        }

        string shown = ToolText.Echo(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return PermissionDecision.Deny("the path contains a NUL character");
        }

        foreach (string segment in path.Split(['/', '\\']))
        {
            if (segment == "..")
            {
                return PermissionDecision.Deny($"'{shown}' contains a '..' segment; paths must stay inside the sandbox");
            }
        }

        string full;
        try
        {
            full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(_root, path)));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return PermissionDecision.Deny($"'{shown}' is not a valid path: {ToolText.Echo(ex.Message)}");
        }

        string? realRoot = _realRoot ??= TryResolveRoot();
        if (realRoot is null)
        {
            return PermissionDecision.Deny("the sandbox root does not exist");
        }

        string relative;
        if (IsInside(full, _root))
        {
            relative = Path.GetRelativePath(_root, full);
        }
        else if (IsInside(full, realRoot))
        {
            relative = Path.GetRelativePath(realRoot, full);
        }
        else
        {
            return PermissionDecision.Deny($"'{shown}' is outside the sandbox root");
        }

        Resolution resolved;
        try
        {
            resolved = Resolve(realRoot, relative, realRoot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return PermissionDecision.Deny($"'{shown}' could not be examined: {ToolText.Echo(ex.Message)}");
        }

        if (resolved.Error is not null)
        {
            return PermissionDecision.Deny($"'{shown}' {resolved.Error}");
        }

        if (!IsInside(resolved.Path, realRoot))
        {
            return PermissionDecision.Deny($"'{shown}' resolves outside the sandbox (through a symbolic link)");
        }

        return resolved.Kind switch
        {
            FileEntryKind.Directory or FileEntryKind.Missing => PermissionDecision.Allow,
            FileEntryKind.RegularFile when RefuseHardLinks && resolved.Links > 1 =>
                PermissionDecision.Deny($"'{shown}' has {resolved.Links} hard links; files with more than one are refused"),
            FileEntryKind.RegularFile => PermissionDecision.Allow,
            FileEntryKind.OtherOrUnknown when RefuseHardLinks =>
                PermissionDecision.Deny($"'{shown}' cannot be checked for hard links on this platform"),
            FileEntryKind.OtherOrUnknown => PermissionDecision.Allow,
            FileEntryKind.Fifo => PermissionDecision.Deny($"'{shown}' is a FIFO (named pipe); only regular files and directories are allowed"),
            FileEntryKind.Socket => PermissionDecision.Deny($"'{shown}' is a socket; only regular files and directories are allowed"),
            FileEntryKind.CharacterDevice or FileEntryKind.BlockDevice =>
                PermissionDecision.Deny($"'{shown}' is a device; only regular files and directories are allowed"),
            _ => PermissionDecision.Deny($"'{shown}' is not a regular file or a directory"),
        };
    }

    /// <inheritdoc />
    public ValueTask<PermissionDecision> ValidateAsync(
        RegisteredTool tool, IReadOnlyDictionary<string, object?> arguments, ToolInvocationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        foreach ((string name, JsonElement value) in ToolArguments.NamedValues(arguments, _argumentNames))
        {
            if (value.ValueKind != JsonValueKind.String)
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

    private string? TryResolveRoot()
    {
        // Why: the root itself may be (or sit under) a link, e.g. /tmp -> /private/tmp on macOS; the configured root is
        // trusted, so its links are followed wherever they live, once.
        string fsRoot = Path.GetPathRoot(_root)!;
        Resolution resolved = Resolve(fsRoot, Path.GetRelativePath(fsRoot, _root), sandbox: null);
        return resolved.Error is null && resolved.Kind == FileEntryKind.Directory ? Path.TrimEndingDirectorySeparator(resolved.Path) : null;
    }

    /// <summary>Walks <paramref name="relative"/> from the real directory <paramref name="start"/> as the kernel would.</summary>
    /// <param name="start">A real (link-free) directory.</param>
    /// <param name="relative">The components to walk.</param>
    /// <param name="sandbox">The real root, or <see langword="null"/> when resolving the trusted root itself.</param>
    private Resolution Resolve(string start, string relative, string? sandbox)
    {
        Stack<string> pending = new();
        Push(pending, relative);
        string current = start;
        FileEntryKind kind = FileEntryKind.Directory;
        uint links = 0;
        int hops = 0;
        while (pending.TryPop(out string? part))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (kind != FileEntryKind.Directory)
            {
                return Resolution.Fail("goes through something that is not a directory");
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string candidate = Path.Join(current, part);
            (kind, links) = NativeFileStatus.Lstat(candidate);
            if (kind == FileEntryKind.Missing)
            {
                // Why: nothing below a missing entry exists either; a '..' after it could only be collapsed as text.
                List<string> rest = [.. pending.Where(p => p.Length > 0 && p != ".")];
                if (rest.Contains(".."))
                {
                    return Resolution.Fail("goes through a symbolic link whose target climbs out of a missing directory");
                }

                return new Resolution(rest.Count == 0 ? candidate : Path.Join(candidate, string.Join(Path.DirectorySeparatorChar, rest)), FileEntryKind.Missing, 0);
            }

            if (kind != FileEntryKind.SymbolicLink)
            {
                current = candidate;
                continue;
            }

            if (sandbox is not null)
            {
                if (RefuseSymbolicLinks)
                {
                    return Resolution.Fail("goes through a symbolic link; symbolic links are refused in this sandbox");
                }

                if (!IsInside(current, sandbox))
                {
                    return Resolution.Fail("goes through a symbolic link that leaves the sandbox");
                }
            }

            if (++hops > MaxSymbolicLinkHops)
            {
                return Resolution.Fail("goes through too many levels of symbolic links");
            }

            string? target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                return Resolution.Fail("changed while it was being checked");
            }

            kind = FileEntryKind.Directory;
            Push(pending, target);
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                if (OperatingSystem.IsWindows() && !Path.IsPathFullyQualified(target))
                {
                    return Resolution.Fail("goes through a symbolic link with a drive-relative target");
                }
            }
        }

        return new Resolution(current, kind, links);
    }

    private static void Push(Stack<string> pending, string path)
    {
        string[] parts = path.Split(Separators);
        for (int i = parts.Length - 1; i >= 0; i--)
        {
            // Why: the leading empty part of an absolute path is the file system root, which the caller sets as current.
            if (i == 0 && parts[0].Length == 0)
            {
                break;
            }

            if (i == 0 && OperatingSystem.IsWindows() && Path.IsPathRooted(path))
            {
                break;
            }

            pending.Push(parts[i]);
        }
    }

    private readonly record struct Resolution(string Path, FileEntryKind Kind, uint Links, string? Error = null)
    {
        public static Resolution Fail(string error) => new(string.Empty, FileEntryKind.Missing, 0, error);
    }
}
