using Executus.Net;

namespace Executus.Core.Tests.Net;

public sealed class Ipv4ParserTests
{
    [Theory]
    [InlineData("127.0.0.1", 0x7F000001u)]
    [InlineData("2130706433", 0x7F000001u)]
    [InlineData("0x7f.1", 0x7F000001u)]
    [InlineData("0177.0.0.1", 0x7F000001u)]
    [InlineData("127.1", 0x7F000001u)]
    [InlineData("127.0.1", 0x7F000001u)]
    [InlineData("0X7F.0X00.0X00.0X01", 0x7F000001u)]
    [InlineData("0", 0u)]
    [InlineData("0x", 0u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("1.16777215", 0x01FFFFFFu)]
    [InlineData("1.2.65535", 0x0102FFFFu)]
    public void Parses_every_inet_aton_spelling(string text, uint expected)
    {
        Assert.True(Ipv4Parser.TryParse(text, out uint value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.16777216")]
    [InlineData("1.2.65536")]
    [InlineData("4294967296")]
    [InlineData("08")]
    [InlineData("0x1g")]
    [InlineData("1..2")]
    [InlineData("1.2.3.")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("example.com")]
    [InlineData("99999999999999999999999")]
    public void Rejects_what_inet_aton_rejects(string text) => Assert.False(Ipv4Parser.TryParse(text, out _));
}
