package dev.bank.observability;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a webhook may be delivered: the guard against server-side request forgery, shared by the gateway (when a
 * subscription is created) and the notifier (again before every delivery, as a name may resolve elsewhere by then).
 *
 * <p>A target is an absolute {@code https} URL (or {@code http} to an allow-listed host) without user info or fragment,
 * at most {@link #MAX_URL_LENGTH} characters, whose host resolves, and none of whose addresses is one the bank's own
 * network or the machine itself answers on: loopback, private (10/8, 172.16/12, 192.168/16), shared (CGNAT 100.64/10),
 * link-local (169.254/16 with the cloud metadata services, fe80::/10), unique local (fc00::/7), site-local (fec0::/10),
 * unspecified, multicast, broadcast and reserved ranges, documentation and benchmarking ranges, and IPv6 addresses that
 * carry an IPv4 address (mapped, compatible, NAT64, 6to4) whose IPv4 address is any of those. Teredo and the rest of
 * 2001::/23 are refused too. A host that resolves to several addresses is refused when any one is refused: the
 * connection may use any of them.
 *
 * <p>The allow-list ({@code BANK_WEBHOOK_ALLOWED_HOSTS}: host names and CIDR blocks, comma-separated) wins over all of
 * it: a host named there, or whose every address lies in a block named there, is allowed, over http too. It is empty by
 * default: closed. Redirects are never followed by the notifier, so a target cannot send it elsewhere.
 */
public final class WebhookTargets {
    /** The longest URL a subscription may have. */
    public static final int MAX_URL_LENGTH = 2048;

    /** Resolves a host name to its addresses; the JVM's resolver in production, a table in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The JVM's resolver (which caches answers: the notifier's connection then uses the address checked here). */
    public static final Resolver DNS = InetAddress::getAllByName;

    /** The answer about one URL: allowed (with the addresses it resolved to), or refused and why. */
    public record Verdict(URI uri, List<InetAddress> addresses, String refusal) {
        public boolean allowed() {
            return refusal == null;
        }

        static Verdict refused(URI uri, String why) {
            return new Verdict(uri, List.of(), why);
        }
    }

    /** An IPv4 or IPv6 block, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a block of one. */
    public record Cidr(byte[] network, int prefix) {
        public static Cidr parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            String address = slash < 0 ? t : t.substring(0, slash);
            if (!literal(address)) throw new IllegalArgumentException("not an IP address: " + text);
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(address).getAddress();
                if (bytes.length == 4 && address.indexOf(':') >= 0) bytes = mapped(bytes); // ::ffff:a.b.c.d
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + text, e);
            }
            int bits = bytes.length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? bits : Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a prefix length: " + text, e);
            }
            if (prefix < 0 || prefix > bits) throw new IllegalArgumentException("prefix out of range: " + text);
            return new Cidr(bytes, prefix);
        }

        public boolean contains(InetAddress address) {
            return contains(address.getAddress());
        }

        boolean contains(byte[] a) {
            if (a.length != network.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Host names and blocks that may be targets whatever they resolve to; see {@link WebhookTargets}. */
    public record AllowList(Set<String> hosts, List<Cidr> blocks) {
        public static final AllowList NONE = new AllowList(Set.of(), List.of());

        public AllowList {
            hosts = Set.copyOf(hosts);
            blocks = List.copyOf(blocks);
        }

        /** {@code BANK_WEBHOOK_ALLOWED_HOSTS}: comma-separated host names and CIDR blocks; blank: none. */
        public static AllowList parse(String spec) {
            if (spec == null || spec.isBlank()) return NONE;
            Set<String> hosts = new LinkedHashSet<>();
            List<Cidr> blocks = new ArrayList<>();
            for (String entry : spec.split(",")) {
                String e = entry.trim();
                if (e.isEmpty()) continue;
                String bare = e.startsWith("[") && e.endsWith("]") ? e.substring(1, e.length() - 1) : e;
                if (bare.contains("/") || literal(bare)) {
                    blocks.add(Cidr.parse(bare));
                } else if (bare.matches("[A-Za-z0-9.-]{1,253}")) {
                    hosts.add(normalHost(bare));
                } else {
                    throw new IllegalArgumentException("BANK_WEBHOOK_ALLOWED_HOSTS: " + e
                            + " is neither a host name nor an IP address or CIDR block");
                }
            }
            return new AllowList(hosts, blocks);
        }

        boolean allowsHost(String host) {
            return hosts.contains(normalHost(host));
        }

        boolean allowsAddress(InetAddress address) {
            InetAddress a = unmapped(address);
            return blocks.stream().anyMatch(b -> b.contains(a) || b.contains(address));
        }

        @Override
        public String toString() {
            List<String> all = new ArrayList<>(hosts);
            blocks.forEach(b -> all.add(b.toString()));
            return all.isEmpty() ? "none" : String.join(",", all);
        }
    }

    private static final List<Cidr> FORBIDDEN = List.of(
            // IPv4
            Cidr.parse("0.0.0.0/8"), Cidr.parse("10.0.0.0/8"), Cidr.parse("100.64.0.0/10"), Cidr.parse("127.0.0.0/8"),
            Cidr.parse("169.254.0.0/16"), Cidr.parse("172.16.0.0/12"), Cidr.parse("192.0.0.0/24"),
            Cidr.parse("192.0.2.0/24"), Cidr.parse("192.88.99.0/24"), Cidr.parse("192.168.0.0/16"),
            Cidr.parse("198.18.0.0/15"), Cidr.parse("198.51.100.0/24"), Cidr.parse("203.0.113.0/24"),
            Cidr.parse("224.0.0.0/4"), Cidr.parse("240.0.0.0/4"),
            // IPv6 (those embedding an IPv4 address are checked by it, below)
            Cidr.parse("64:ff9b:1::/48"), Cidr.parse("100::/64"), Cidr.parse("2001::/23"), Cidr.parse("2001:db8::/32"),
            Cidr.parse("3fff::/20"), Cidr.parse("5f00::/16"), Cidr.parse("fc00::/7"), Cidr.parse("fe80::/10"),
            Cidr.parse("fec0::/10"), Cidr.parse("ff00::/8"));
    private static final Cidr MAPPED = Cidr.parse("::ffff:0:0/96");
    private static final Cidr COMPATIBLE = Cidr.parse("::/96");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private final AllowList allowList;
    private final Resolver resolver;

    public WebhookTargets(AllowList allowList, Resolver resolver) {
        this.allowList = allowList;
        this.resolver = resolver;
    }

    public AllowList allowList() {
        return allowList;
    }

    /**
     * Whether an address is one no webhook may reach (before the allow-list): loopback, private, link-local,
     * multicast, reserved, and so on ({@link WebhookTargets}); an IPv6 address carrying an IPv4 one by that one.
     */
    public static boolean forbidden(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16) {
            byte[] embedded = null;
            if (MAPPED.contains(a) || COMPATIBLE.contains(a) || NAT64.contains(a)) {
                embedded = Arrays.copyOfRange(a, 12, 16);
            } else if (SIX_TO_FOUR.contains(a)) {
                embedded = Arrays.copyOfRange(a, 2, 6);
            }
            if (embedded != null) return forbiddenBytes(embedded);
        }
        return forbiddenBytes(a);
    }

    private static boolean forbiddenBytes(byte[] a) {
        for (Cidr c : FORBIDDEN) if (c.contains(a)) return true;
        return false;
    }

    /**
     * What is wrong with the URL's form (scheme, host, user info, length), before any name is resolved; null when
     * nothing is. {@code http} passes here and is decided by {@link #check}, which knows the allow-list's blocks.
     */
    public static String formProblem(String url) {
        if (url == null || url.isEmpty()) return "is required: an absolute https URL";
        if (url.length() > MAX_URL_LENGTH) return "must be at most " + MAX_URL_LENGTH + " characters";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a valid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("https") || scheme.equals("http"))) {
            return "must be an absolute https URL";
        }
        if (uri.getRawUserInfo() != null) return "must not carry a user name or password";
        if (uri.getRawFragment() != null) return "must not have a fragment";
        if (uri.getHost() == null || uri.getHost().isEmpty()) return "must name a host";
        if (uri.getPort() == 0) return "must not name port 0";
        return null;
    }

    /** The full check of a URL: its form, then the addresses its host resolves to, against the allow-list. */
    public Verdict check(String url) {
        String form = formProblem(url);
        if (form != null) return Verdict.refused(null, "url " + form);
        URI uri = URI.create(url);
        String host = bare(uri.getHost());
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        if (allowList.allowsHost(host)) return new Verdict(uri, List.of(), null);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return Verdict.refused(uri, "the host " + host + " does not resolve");
        } catch (RuntimeException e) {
            return Verdict.refused(uri, "the host " + host + " cannot be resolved: " + e.getClass().getSimpleName());
        }
        if (addresses == null || addresses.length == 0) {
            return Verdict.refused(uri, "the host " + host + " does not resolve");
        }
        boolean allListed = true;
        for (InetAddress address : addresses) {
            boolean listed = allowList.allowsAddress(address);
            allListed &= listed;
            if (!listed && forbidden(address)) {
                return Verdict.refused(uri, "the host " + host + " resolves to " + address.getHostAddress()
                        + ", an address webhooks may not reach (loopback, private, link-local or reserved)");
            }
        }
        if (!https && !allListed) {
            return Verdict.refused(uri, "url must be https (http only to a host in BANK_WEBHOOK_ALLOWED_HOSTS)");
        }
        return new Verdict(uri, List.of(addresses), null);
    }

    /** A URI's host without IPv6 brackets. */
    static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String normalHost(String host) {
        String h = bare(host).toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** Whether a text is an IP address literal (so parsing it never asks DNS). */
    static boolean literal(String text) {
        if (text.isEmpty()) return false;
        if (text.indexOf(':') >= 0) return text.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?");
        return text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** {@code ::ffff:a.b.c.d}: Java reads an IPv4-mapped literal as the IPv4 address; a block needs its 16 bytes. */
    static byte[] mapped(byte[] v4) {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        System.arraycopy(v4, 0, a, 12, 4);
        return a;
    }

    private static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] a = address.getAddress();
            if (MAPPED.contains(a)) {
                try {
                    return Inet4Address.getByAddress(Arrays.copyOfRange(a, 12, 16));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return address;
    }
}
