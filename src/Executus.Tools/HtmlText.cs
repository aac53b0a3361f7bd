using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Executus.Tools;

/// <summary>Turns HTML into readable text: headings, paragraphs, list items and links kept; scripts, styles and navigation dropped.</summary>
public static class HtmlText
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "nav", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "head", "form", "button", "select",
    };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "ul", "ol", "dl", "dt", "dd",
        "table", "tr", "figure", "figcaption", "address", "details", "summary", "hr", "body", "html",
    };

    /// <summary>Extracts readable text from <paramref name="html"/>.</summary>
    /// <param name="html">The HTML.</param>
    /// <param name="baseUri">The page's URL, to make relative links absolute; <see langword="null"/> to keep them as written.</param>
    /// <returns>The text: the title first (as a heading), then the body with one block per line and links as <c>text (url)</c>.</returns>
    public static string Extract(string html, Uri? baseUri = null)
    {
        ArgumentNullException.ThrowIfNull(html);
        HtmlParser parser = new();
        using AngleSharp.Html.Dom.IHtmlDocument document = parser.ParseDocument(html);
        StringBuilder builder = new();
        string title = Collapse(document.Title ?? string.Empty).Trim();
        if (title.Length > 0)
        {
            builder.Append("# ").Append(title).Append("\n\n");
        }

        if (document.Body is { } body)
        {
            Walk(body, builder, baseUri);
        }

        return Tidy(builder.ToString());
    }

    private static void Walk(INode node, StringBuilder builder, Uri? baseUri)
    {
        foreach (INode child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    builder.Append(Collapse(text.Data));
                    break;
                case IElement element:
                    WalkElement(element, builder, baseUri);
                    break;
            }
        }
    }

    private static void WalkElement(IElement element, StringBuilder builder, Uri? baseUri)
    {
        string tag = element.LocalName;
        if (Skipped.Contains(tag) || element.HasAttribute("hidden"))
        {
            return;
        }

        switch (tag)
        {
            case "br":
                builder.Append('\n');
                return;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                builder.Append("\n\n").Append('#', tag[1] - '0').Append(' ');
                Walk(element, builder, baseUri);
                builder.Append("\n\n");
                return;
            case "li":
                builder.Append("\n- ");
                Walk(element, builder, baseUri);
                return;
            case "pre":
                builder.Append("\n\n").Append(element.TextContent.TrimEnd()).Append("\n\n");
                return;
            case "td" or "th":
                builder.Append(' ');
                Walk(element, builder, baseUri);
                builder.Append(" |");
                return;
            case "img":
                string? alt = element.GetAttribute("alt");
                if (!string.IsNullOrWhiteSpace(alt))
                {
                    builder.Append("[image: ").Append(Collapse(alt).Trim()).Append(']');
                }

                return;
            case "a":
                WalkLink(element, builder, baseUri);
                return;
        }

        if (Blocks.Contains(tag))
        {
            builder.Append("\n\n");
            Walk(element, builder, baseUri);
            builder.Append("\n\n");
            return;
        }

        Walk(element, builder, baseUri);
    }

    private static void WalkLink(IElement element, StringBuilder builder, Uri? baseUri)
    {
        int start = builder.Length;
        Walk(element, builder, baseUri);
        string? href = element.GetAttribute("href")?.Trim();
        if (string.IsNullOrEmpty(href) || href.StartsWith('#') ||
            href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase) ||
            href.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        string target = baseUri is not null && Uri.TryCreate(baseUri, href, out Uri? absolute) ? absolute.ToString() : href;
        string text = builder.ToString(start, builder.Length - start).Trim();
        if (!string.Equals(text, target, StringComparison.Ordinal))
        {
            builder.Append(" (").Append(target).Append(')');
        }
    }

    private static string Collapse(string text)
    {
        StringBuilder builder = new(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        if (space)
        {
            builder.Append(' ');
        }

        return builder.ToString();
    }

    private static string Tidy(string text)
    {
        StringBuilder builder = new(text.Length);
        int blank = 0;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0)
            {
                blank++;
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(blank > 0 ? "\n\n" : "\n");
            }

            builder.Append(line);
            blank = 0;
        }

        return builder.ToString();
    }
}
