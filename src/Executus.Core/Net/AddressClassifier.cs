using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Executus.Net;

/// <summary>Classifies IP addresses into the ranges the <see cref="SsrfGuard"/> blocks. Pure and allocation-free.</summary>
internal static class AddressClassifier
{
    /// <summary>Classifies an IPv4 address given in host byte order.</summary>
    /// <param name="a">The address.</param>
    /// <returns>The block reason, or <see cref="SsrfBlockReason.None"/> for a public unicast address.</returns>
    public static SsrfBlockReason ClassifyV4(uint a)
    {
        if (a == 0xFFFFFFFF)
        {
            return SsrfBlockReason.Broadcast;
        }

        return (a >> 24) switch
        {
            0 => SsrfBlockReason.Unspecified,
            10 => SsrfBlockReason.Private,
            127 => SsrfBlockReason.Loopback,
            >= 224 and <= 239 => SsrfBlockReason.Multicast,
            >= 240 => SsrfBlockReason.Reserved,
            _ => ClassifyV4Narrow(a),
        };
    }

    /// <summary>Classifies an IPv6 address, unwrapping IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo forms.</summary>
    /// <param name="bytes">The 16 address bytes.</param>
    /// <returns>The block reason, or <see cref="SsrfBlockReason.None"/> for a public unicast address.</returns>
    public static SsrfBlockReason ClassifyV6(ReadOnlySpan<byte> bytes)
    {
        ulong hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        ulong lo = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        uint last32 = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);

        if (hi == 0)
        {
            if (lo == 0)
            {
                return SsrfBlockReason.Unspecified;
            }

            if (lo == 1)
            {
                return SsrfBlockReason.Loopback;
            }

            // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): judge the embedded IPv4 address.
            if ((lo >> 32) == 0xFFFF || (lo >> 32) == 0)
            {
                return ClassifyV4(last32);
            }

            // ::ffff:0:a.b.c.d (SIIT) and anything else in ::/64 is not global unicast.
            return SsrfBlockReason.Reserved;
        }

        ushort w0 = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        ushort w1 = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        ushort w2 = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);

        // 64:ff9b::/96 well-known NAT64 prefix: the last 32 bits are the IPv4 destination.
        if (hi == 0x0064_FF9B_0000_0000UL && (lo >> 32) == 0)
        {
            return ClassifyV4(last32);
        }

        // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): a private translation domain.
        if (w0 == 0x0064 && w1 == 0xFF9B && w2 == 0x0001)
        {
            return SsrfBlockReason.Private;
        }

        // 2002::/16 6to4: bits 16..48 are the IPv4 address of the relay-side host.
        if (w0 == 0x2002)
        {
            uint embedded = ((uint)w1 << 16) | w2;
            return ClassifyV4(embedded);
        }

        if (w0 == 0x2001)
        {
            // 2001::/32 Teredo: server IPv4 in bits 32..64, client IPv4 obfuscated (inverted) in the last 32 bits.
            if (w1 == 0x0000)
            {
                uint server = (uint)(hi & 0xFFFFFFFF);
                SsrfBlockReason serverReason = ClassifyV4(server);
                return serverReason != SsrfBlockReason.None ? serverReason : ClassifyV4(~last32);
            }

            if (w1 == 0x0DB8)
            {
                return SsrfBlockReason.Documentation;
            }

            if (w1 == 0x0002 && w2 == 0x0000)
            {
                return SsrfBlockReason.Benchmarking;
            }

            // 2001:10::/28 ORCHID and 2001:20::/28 ORCHIDv2: not routable.
            if ((w1 & 0xFFF0) is 0x0010 or 0x0020)
            {
                return SsrfBlockReason.Reserved;
            }
        }

        // 3fff::/20 documentation (RFC 9637).
        if ((w0 & 0xFFFF) == 0x3FFF && (w1 & 0xF000) == 0)
        {
            return SsrfBlockReason.Documentation;
        }

        byte b0 = bytes[0];
        if (b0 == 0xFF)
        {
            return SsrfBlockReason.Multicast;
        }

        if ((b0 & 0xFE) == 0xFC)
        {
            return SsrfBlockReason.Private;
        }

        if (b0 == 0xFE && (bytes[1] & 0xC0) == 0x80)
        {
            return SsrfBlockReason.LinkLocal;
        }

        if (b0 == 0xFE && (bytes[1] & 0xC0) == 0xC0)
        {
            return SsrfBlockReason.SiteLocal;
        }

        // Everything outside global unicast 2000::/3 (e.g. 100::/64 discard-only) is reserved.
        return (b0 & 0xE0) == 0x20 ? SsrfBlockReason.None : SsrfBlockReason.Reserved;
    }

    /// <summary>Classifies <paramref name="address"/>.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The block reason, or <see cref="SsrfBlockReason.None"/>.</returns>
    public static SsrfBlockReason Classify(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            _ = address.TryWriteBytes(bytes, out _);
            return ClassifyV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.ScopeId != 0)
            {
                return SsrfBlockReason.ZoneId;
            }

            _ = address.TryWriteBytes(bytes, out _);
            return ClassifyV6(bytes);
        }

        return SsrfBlockReason.Reserved;
    }

    /// <summary>
    /// Writes the IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64 64:ff9b::/96, 6to4, Teredo server
    /// and client) into <paramref name="destination"/> (room for 2), in host byte order; an IPv4 address yields itself.
    /// </summary>
    /// <param name="address">The address.</param>
    /// <param name="destination">Where the addresses go.</param>
    /// <returns>How many were written.</returns>
    public static int EmbeddedIPv4(IPAddress address, Span<uint> destination)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            _ = address.TryWriteBytes(bytes, out _);
            destination[0] = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return 1;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return 0;
        }

        _ = address.TryWriteBytes(bytes, out _);
        ulong hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        ulong lo = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        uint last32 = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
        ushort w0 = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        ushort w1 = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        ushort w2 = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if ((hi == 0 && ((lo >> 32) == 0xFFFF || ((lo >> 32) == 0 && lo > 1))) || (hi == 0x0064_FF9B_0000_0000UL && (lo >> 32) == 0))
        {
            destination[0] = last32;
            return 1;
        }

        if (w0 == 0x2002)
        {
            destination[0] = ((uint)w1 << 16) | w2;
            return 1;
        }

        if (w0 == 0x2001 && w1 == 0x0000)
        {
            destination[0] = (uint)(hi & 0xFFFFFFFF);
            destination[1] = ~last32;
            return 2;
        }

        return 0;
    }

    private static SsrfBlockReason ClassifyV4Narrow(uint a)
    {
        uint b16 = a >> 16;
        uint b24 = a >> 8;
        return a switch
        {
            _ when (a & 0xFFC00000) == 0x64400000 => SsrfBlockReason.SharedAddressSpace, // 100.64/10
            _ when b16 == 0xA9FE => SsrfBlockReason.LinkLocal, // 169.254/16
            _ when (a & 0xFFF00000) == 0xAC100000 => SsrfBlockReason.Private, // 172.16/12
            _ when b16 == 0xC0A8 => SsrfBlockReason.Private, // 192.168/16
            _ when b24 == 0xC00000 => SsrfBlockReason.Reserved, // 192.0.0/24 IETF protocol assignments
            _ when b24 == 0xC00002 => SsrfBlockReason.Documentation, // 192.0.2/24 TEST-NET-1
            _ when b24 == 0xC05863 => SsrfBlockReason.Reserved, // 192.88.99/24 deprecated 6to4 relay anycast
            _ when (a & 0xFFFE0000) == 0xC6120000 => SsrfBlockReason.Benchmarking, // 198.18/15
            _ when b24 == 0xC63364 => SsrfBlockReason.Documentation, // 198.51.100/24 TEST-NET-2
            _ when b24 == 0xCB0071 => SsrfBlockReason.Documentation, // 203.0.113/24 TEST-NET-3
            _ => SsrfBlockReason.None,
        };
    }
}
