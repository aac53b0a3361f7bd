using System.Globalization;
using System.Text.RegularExpressions;

namespace Gadfly;

/// <summary>
/// Parses a unified diff (<c>git diff</c>, <c>git format-patch</c>, <c>diff -u</c>) into files, hunks and lines with
/// their old and new line numbers. Text around the files (a commit message, <c>index</c>/mode lines, a patch
/// signature) is skipped; a hunk whose body does not match its <c>@@</c> counts is an error naming the input line.
/// </summary>
public static partial class DiffParser
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The diff.</param>
    /// <returns>The files, in order.</returns>
    /// <exception cref="DiffParseException">The text is empty, holds no file, or a hunk is malformed.</exception>
    public static UnifiedDiff Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DiffParseException("The diff is empty: pass a unified diff file (or '-' for stdin), e.g. the output of 'git diff'.");
        }

        string[] lines = text.Split('\n');
        int count = lines.Length;
        if (text.EndsWith('\n'))
        {
            count--;
        }

        var state = new State();
        for (int i = 0; i < count; i++)
        {
            state.Read(i + 1, lines[i].TrimEnd('\r'));
        }

        state.Finish(count);
        if (state.Files.Count == 0)
        {
            throw new DiffParseException("No file found in the input: expected 'diff --git' or '---'/'+++' file headers followed by '@@' hunks.");
        }

        return new UnifiedDiff(state.Files);
    }

    [GeneratedRegex(@"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex HunkHeader();

    private sealed class State
    {
        private FileBuilder? _file;
        private HunkBuilder? _hunk;
        private bool _afterSignature;

        public List<DiffFile> Files { get; } = [];

        public void Read(int number, string line)
        {
            if (_hunk is { IsOpen: true })
            {
                ReadHunkLine(number, line);
                return;
            }

            if (line.StartsWith("diff --git ", StringComparison.Ordinal))
            {
                StartFile(number);
                _file!.ReadGitHeader(line["diff --git ".Length..]);
            }
            else if (line.StartsWith("--- ", StringComparison.Ordinal))
            {
                if (_file is null || _file.SawOld || _file.Hunks.Count > 0)
                {
                    StartFile(number);
                }

                _file!.SawOld = true;
                _file.OldPath = HeaderPath(line[4..], "a/");
            }
            else if (line.StartsWith("+++ ", StringComparison.Ordinal) && !_afterSignature)
            {
                if (_file is null || !_file.SawOld || _file.SawNew)
                {
                    throw new DiffParseException(number, "'+++' file header without a preceding '---' header.");
                }

                _file.SawNew = true;
                _file.NewPath = HeaderPath(line[4..], "b/");
            }
            else if (line.StartsWith("@@", StringComparison.Ordinal) && !_afterSignature)
            {
                StartHunk(number, line);
            }
            else if (_afterSignature || _file is null)
            {
                // Text before the first file or after a patch signature: a commit message, a version line.
            }
            else if (line == "-- ")
            {
                EndFile();
                _afterSignature = true;
            }
            else if (line.StartsWith("new file mode", StringComparison.Ordinal))
            {
                _file.OldPath = null;
            }
            else if (line.StartsWith("deleted file mode", StringComparison.Ordinal))
            {
                _file.NewPath = null;
            }
            else if (line.StartsWith("rename from ", StringComparison.Ordinal))
            {
                _file.OldPath = line["rename from ".Length..];
            }
            else if (line.StartsWith("rename to ", StringComparison.Ordinal))
            {
                _file.NewPath = line["rename to ".Length..];
            }
            else if ((line.StartsWith("Binary files ", StringComparison.Ordinal) && line.EndsWith(" differ", StringComparison.Ordinal)) ||
                     line == "GIT binary patch")
            {
                _file.IsBinary = true;
            }
            else if (_file.Hunks.Count > 0 && !_file.IsBinary && (line.StartsWith('+') || line.StartsWith('-')))
            {
                DiffHunk last = _file.Hunks[^1];
                throw new DiffParseException(
                    number,
                    $"a changed line after the hunk '@@ -{last.OldStart},{last.OldCount} +{last.NewStart},{last.NewCount} @@' was complete: the hunk has more lines than its header declares.");
            }
        }

        public void Finish(int lastLine)
        {
            if (_hunk is { IsOpen: true } open)
            {
                throw new DiffParseException(
                    lastLine,
                    $"the input ended inside the hunk of input line {open.HeaderLine} ('{open.Header}'): {open.RemainingOld} old and {open.RemainingNew} new line(s) are missing.");
            }

            EndFile();
        }

        private void StartFile(int number)
        {
            EndFile();
            _afterSignature = false;
            _file = new FileBuilder(number);
        }

        private void EndFile()
        {
            CloseHunk();
            if (_file is not null)
            {
                Files.Add(_file.Build());
                _file = null;
            }
        }

        private void StartHunk(int number, string line)
        {
            if (_file is not null && _file.SawOld && !_file.SawNew)
            {
                throw new DiffParseException(number, "hunk header '@@' after '---' without the '+++' header.");
            }

            if (_file is null || (!_file.SawNew && !_file.IsGit))
            {
                throw new DiffParseException(number, "hunk header '@@' before any file header ('diff --git' or '---'/'+++').");
            }

            Match match = HunkHeader().Match(line);
            if (!match.Success)
            {
                throw new DiffParseException(number, $"malformed hunk header '{line}'; expected '@@ -start[,count] +start[,count] @@'.");
            }

            CloseHunk();
            _hunk = new HunkBuilder(
                number,
                line,
                Number(match.Groups[1], number),
                match.Groups[2].Success ? Number(match.Groups[2], number) : 1,
                Number(match.Groups[3], number),
                match.Groups[4].Success ? Number(match.Groups[4], number) : 1,
                match.Groups[5].Value.Trim());
        }

        private void CloseHunk()
        {
            if (_hunk is not null)
            {
                _file!.Hunks.Add(_hunk.Build());
                _hunk = null;
            }
        }

        private void ReadHunkLine(int number, string line)
        {
            HunkBuilder hunk = _hunk!;
            char prefix = line.Length == 0 ? ' ' : line[0];
            string body = line.Length == 0 ? string.Empty : line[1..];
            switch (prefix)
            {
                case ' ' when hunk.RemainingOld > 0 && hunk.RemainingNew > 0:
                    hunk.Add(DiffLineKind.Context, body);
                    break;
                case '+' when hunk.RemainingNew > 0:
                    hunk.Add(DiffLineKind.Added, body);
                    break;
                case '-' when hunk.RemainingOld > 0:
                    hunk.Add(DiffLineKind.Removed, body);
                    break;
                case '\\':
                    // "\ No newline at end of file" belongs to the line before it.
                    break;
                default:
                    throw new DiffParseException(
                        number,
                        $"'{Shorten(line)}' does not fit the hunk of input line {hunk.HeaderLine} ('{hunk.Header}'), which still expects {hunk.RemainingOld} old and {hunk.RemainingNew} new line(s); hunk lines start with ' ', '+' or '-'.");
            }

            if (!hunk.IsOpen)
            {
                CloseHunk();
            }
        }

        private static int Number(Group group, int line) =>
            int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new DiffParseException(line, $"the number '{group.Value}' in the hunk header is out of range.");

        private static string? HeaderPath(string raw, string prefix)
        {
            int tab = raw.IndexOf('\t', StringComparison.Ordinal);
            string path = (tab >= 0 ? raw[..tab] : raw).Trim();
            if (path.Length > 1 && path[0] == '"' && path[^1] == '"')
            {
                path = path[1..^1];
            }

            if (path == "/dev/null")
            {
                return null;
            }

            return path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path;
        }

        private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
    }

    private sealed class FileBuilder(int headerLine)
    {
        public int HeaderLine { get; } = headerLine;

        public bool IsGit { get; private set; }

        public bool SawOld { get; set; }

        public bool SawNew { get; set; }

        public bool IsBinary { get; set; }

        public string? OldPath { get; set; }

        public string? NewPath { get; set; }

        public List<DiffHunk> Hunks { get; } = [];

        public void ReadGitHeader(string rest)
        {
            IsGit = true;
            int split = rest.IndexOf(" b/", StringComparison.Ordinal);
            if (rest.StartsWith("a/", StringComparison.Ordinal) && split > 0)
            {
                OldPath = rest[2..split];
                NewPath = rest[(split + 3)..];
            }
        }

        public DiffFile Build()
        {
            if (OldPath is null && NewPath is null)
            {
                throw new DiffParseException(HeaderLine, "the file header names no path ('/dev/null' on both sides).");
            }

            return new DiffFile(OldPath, NewPath, IsBinary, Hunks.ToArray());
        }
    }

    private sealed class HunkBuilder
    {
        private readonly List<DiffLine> _lines = [];
        private readonly int _oldStart;
        private readonly int _oldCount;
        private readonly int _newStart;
        private readonly int _newCount;
        private readonly string _section;
        private int _nextOld;
        private int _nextNew;

        public HunkBuilder(int headerLine, string header, int oldStart, int oldCount, int newStart, int newCount, string section)
        {
            HeaderLine = headerLine;
            Header = header;
            _oldStart = _nextOld = oldStart;
            _oldCount = RemainingOld = oldCount;
            _newStart = _nextNew = newStart;
            _newCount = RemainingNew = newCount;
            _section = section;
        }

        public int HeaderLine { get; }

        public string Header { get; }

        public int RemainingOld { get; private set; }

        public int RemainingNew { get; private set; }

        public bool IsOpen => RemainingOld > 0 || RemainingNew > 0;

        public void Add(DiffLineKind kind, string text)
        {
            int? oldLine = null;
            int? newLine = null;
            if (kind != DiffLineKind.Added)
            {
                oldLine = _nextOld++;
                RemainingOld--;
            }

            if (kind != DiffLineKind.Removed)
            {
                newLine = _nextNew++;
                RemainingNew--;
            }

            _lines.Add(new DiffLine(kind, text, oldLine, newLine));
        }

        public DiffHunk Build() => new(_oldStart, _oldCount, _newStart, _newCount, _section, _lines.ToArray());
    }
}
