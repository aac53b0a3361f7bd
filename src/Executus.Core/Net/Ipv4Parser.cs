using System.Buffers;
using System.Globalization;

namespace Executus.Net;

/// <summary>
/// Parses every IPv4 spelling the BSD/glibc <c>inet_aton</c> accepts (and so what many resolvers, browsers and
/// HTTP stacks treat as an address): one to four dot-separated parts, each decimal, octal (leading <c>0</c>) or hex
/// (<c>0x</c>); with fewer than four parts the last part fills the remaining bytes (<c>127.1</c>, <c>2130706433</c>).
/// </summary>
internal static class Ipv4Parser
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    /// <summary>Parses <paramref name="text"/> as an inet_aton IPv4 address.</summary>
    /// <param name="text">The host text (no brackets, no port).</param>
    /// <param name="address">The address in host byte order.</param>
    /// <returns><see langword="true"/> when the text is an IPv4 address in any accepted spelling.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out uint address)
    {
        address = 0;
        if (text.IsEmpty || text.Length > 64)
        {
            return false;
        }

        Span<ulong> parts = stackalloc ulong[4];
        int count = 0;
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '.')
            {
                if (count == 4 || !TryParsePart(text[start..i], out parts[count]))
                {
                    return false;
                }

                count++;
                start = i + 1;
            }
        }

        ulong value;
        switch (count)
        {
            case 1:
                if (parts[0] > uint.MaxValue)
                {
                    return false;
                }

                value = parts[0];
                break;
            case 2:
                if (parts[0] > 0xFF || parts[1] > 0xFFFFFF)
                {
                    return false;
                }

                value = (parts[0] << 24) | parts[1];
                break;
            case 3:
                if (parts[0] > 0xFF || parts[1] > 0xFF || parts[2] > 0xFFFF)
                {
                    return false;
                }

                value = (parts[0] << 24) | (parts[1] << 16) | parts[2];
                break;
            default:
                if (parts[0] > 0xFF || parts[1] > 0xFF || parts[2] > 0xFF || parts[3] > 0xFF)
                {
                    return false;
                }

                value = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
                break;
        }

        address = (uint)value;
        return true;
    }

    /// <summary>
    /// Returns whether the last dot-separated label of <paramref name="host"/> looks numeric (digits, or a
    /// <c>0x</c> hex number). Such a host that is not a valid IPv4 address is ambiguous (WHATWG URL parsing rejects it,
    /// some resolvers interpret it): the guard refuses it instead of guessing.
    /// </summary>
    /// <param name="host">The host text.</param>
    /// <returns><see langword="true"/> when the last label is numeric.</returns>
    public static bool LooksNumeric(ReadOnlySpan<char> host)
    {
        int dot = host.LastIndexOf('.');
        ReadOnlySpan<char> last = dot < 0 ? host : host[(dot + 1)..];
        if (last.IsEmpty)
        {
            return false;
        }

        if (last.Length >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X'))
        {
            return !last[2..].ContainsAnyExcept(HexDigits);
        }

        return !last.ContainsAnyExcept(Digits);
    }

    private static bool TryParsePart(ReadOnlySpan<char> part, out ulong value)
    {
        value = 0;
        if (part.IsEmpty || part.Length > 20)
        {
            return false;
        }

        if (part.Length >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X'))
        {
            ReadOnlySpan<char> hex = part[2..];
            if (hex.IsEmpty)
            {
                // Why: inet_aton accepts a bare "0x" as zero; treating it as an address keeps us at least as strict.
                return true;
            }

            return hex.Length <= 16 && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        if (part.Length > 1 && part[0] == '0')
        {
            foreach (char c in part[1..])
            {
                if (c is < '0' or > '7')
                {
                    return false;
                }

                value = (value * 8) + (ulong)(c - '0');
                if (value > uint.MaxValue)
                {
                    return false;
                }
            }

            return true;
        }

        foreach (char c in part)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
