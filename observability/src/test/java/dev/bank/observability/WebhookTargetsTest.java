package dev.bank.observability;

import dev.bank.observability.WebhookTargets.AllowList;
import dev.bank.observability.WebhookTargets.Verdict;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The SSRF guard against an oracle written separately from it, by the first octets and hextets of the IANA special
 * purpose registries: over generated IPv4 and IPv6 addresses (biased towards every special range and its edges), every
 * private, loopback, link-local, shared, multicast or reserved address is refused and every other one allowed, an
 * allow-listed block or host wins, and a URL is judged by every address its host resolves to.
 */
class WebhookTargetsTest {

    // ---- the oracle ----

    static boolean forbiddenV4(int a, int b, int c) {
        return a == 0 || a == 10 || a == 127 || a >= 224
                || (a == 100 && (b & 0xc0) == 64)
                || (a == 169 && b == 254)
                || (a == 172 && (b & 0xf0) == 16)
                || (a == 192 && b == 0 && (c == 0 || c == 2)) || (a == 192 && b == 88 && c == 99) || (a == 192 && b == 168)
                || (a == 198 && (b & 0xfe) == 18) || (a == 198 && b == 51 && c == 100)
                || (a == 203 && b == 0 && c == 113);
    }

    static boolean forbiddenV6(byte[] x) {
        int[] h = new int[8];
        for (int i = 0; i < 8; i++) h[i] = (x[2 * i] & 0xff) << 8 | (x[2 * i + 1] & 0xff);
        boolean zero0to4 = h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == 0 && h[4] == 0;
        if (zero0to4 && (h[5] == 0xffff || h[5] == 0)) return forbiddenV4(x[12] & 0xff, x[13] & 0xff, x[14] & 0xff);
        if (h[0] == 0x64 && h[1] == 0xff9b && h[2] == 0 && h[3] == 0 && h[4] == 0 && h[5] == 0) {
            return forbiddenV4(x[12] & 0xff, x[13] & 0xff, x[14] & 0xff);
        }
        if (h[0] == 0x64 && h[1] == 0xff9b && h[2] == 1) return true;
        if (h[0] == 0x2002) return forbiddenV4(x[2] & 0xff, x[3] & 0xff, x[4] & 0xff);
        if (h[0] == 0x100 && h[1] == 0 && h[2] == 0 && h[3] == 0) return true;
        if (h[0] == 0x2001 && (h[1] <= 0x1ff || h[1] == 0xdb8)) return true;
        if (h[0] == 0x3fff && (h[1] & 0xf000) == 0) return true;
        if (h[0] == 0x5f00) return true;
        return (h[0] & 0xfe00) == 0xfc00 || (h[0] & 0xffc0) == 0xfe80 || (h[0] & 0xffc0) == 0xfec0
                || (h[0] & 0xff00) == 0xff00;
    }

    // ---- generated addresses ----

    @Provide
    Arbitrary<byte[]> ipv4() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        // first octets of every special range and their neighbours, then anything
        Arbitrary<Integer> first = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of(0, 1, 9, 10, 11, 99, 100, 101, 126, 127, 128, 168, 169, 170, 171,
                        172, 173, 191, 192, 193, 197, 198, 199, 202, 203, 204, 223, 224, 239, 240, 255)),
                net.jqwik.api.Tuple.of(1, octet));
        Arbitrary<Integer> second = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0, 15, 16, 17, 18, 19, 20, 31, 32, 51, 63, 64, 88, 127, 128, 167, 168,
                        169, 253, 254, 255)),
                net.jqwik.api.Tuple.of(1, octet));
        Arbitrary<Integer> third = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0, 1, 2, 3, 99, 100, 101, 112, 113, 114)),
                net.jqwik.api.Tuple.of(1, octet));
        return Combinators.combine(first, second, third, octet)
                .as((a, b, c, d) -> new byte[] {(byte) (int) a, (byte) (int) b, (byte) (int) c, (byte) (int) d});
    }

    @Provide
    Arbitrary<byte[]> ipv6() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofSize(16);
        // special prefixes (as leading bytes), each with random rest; some embed a generated IPv4 address
        Arbitrary<byte[]> prefix = Arbitraries.of(new byte[0], new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8},
                new byte[] {0x20, 0x01, 0x00}, new byte[] {0x20, 0x01, 0x01}, new byte[] {0x20, 0x01, 0x02},
                new byte[] {0x20, 0x02}, new byte[] {0x3f, (byte) 0xff, 0x0f}, new byte[] {0x3f, (byte) 0xff, 0x10},
                new byte[] {0x5f, 0x00}, new byte[] {(byte) 0xfc}, new byte[] {(byte) 0xfd}, new byte[] {(byte) 0xfe},
                new byte[] {(byte) 0xfe, (byte) 0x80}, new byte[] {(byte) 0xfe, (byte) 0xc0}, new byte[] {(byte) 0xff},
                new byte[] {0x01, 0x00, 0, 0, 0, 0, 0, 0}, new byte[] {0x00, 0x64, (byte) 0xff, (byte) 0x9b, 0, 1},
                new byte[] {0x26, 0x06, 0x47, 0x00}, new byte[] {0x2a, 0x00, 0x14, 0x50});
        Arbitrary<byte[]> prefixed = Combinators.combine(prefix, random).as((p, r) -> {
            byte[] a = r.clone();
            System.arraycopy(p, 0, a, 0, p.length);
            return a;
        });
        Arbitrary<byte[]> embedding = Combinators.combine(ipv4(), Arbitraries.of("mapped", "compatible", "nat64", "6to4"),
                random).as((v4, kind, r) -> {
                    byte[] a = new byte[16];
                    switch (kind) {
                        case "mapped" -> { a[10] = (byte) 0xff; a[11] = (byte) 0xff; System.arraycopy(v4, 0, a, 12, 4); }
                        case "compatible" -> System.arraycopy(v4, 0, a, 12, 4);
                        case "nat64" -> { a[1] = 0x64; a[2] = (byte) 0xff; a[3] = (byte) 0x9b; System.arraycopy(v4, 0, a, 12, 4); }
                        default -> { a = r.clone(); a[0] = 0x20; a[1] = 0x02; System.arraycopy(v4, 0, a, 2, 4); }
                    }
                    return a;
                });
        return Arbitraries.oneOf(random, prefixed, embedding);
    }

    // ---- properties ----

    @Property(tries = 3000)
    void everyIpv4AddressIsRefusedExactlyWhenItIsPrivateLoopbackLinkLocalSharedMulticastOrReserved(
            @ForAll("ipv4") byte[] a) throws Exception {
        boolean expected = forbiddenV4(a[0] & 0xff, a[1] & 0xff, a[2] & 0xff);
        assertThat(WebhookTargets.forbidden(InetAddress.getByAddress(a))).as(InetAddress.getByAddress(a).toString())
                .isEqualTo(expected);
    }

    @Property(tries = 3000)
    void everyIpv6AddressIsRefusedExactlyWhenItOrTheIpv4AddressItCarriesIs(@ForAll("ipv6") byte[] a) throws Exception {
        // Java turns an IPv4-mapped address into an Inet4Address: the guard must judge it the same either way
        assertThat(WebhookTargets.forbidden(InetAddress.getByAddress(a))).as(InetAddress.getByAddress(a).toString())
                .isEqualTo(forbiddenV6(a));
    }

    @Property(tries = 500)
    void aUrlIsAllowedOnlyWhenEveryAddressOfItsHostIs(@ForAll("ipv4") byte[] first, @ForAll("ipv6") byte[] second)
            throws Exception {
        InetAddress[] addresses = {InetAddress.getByAddress(first), InetAddress.getByAddress(second)};
        WebhookTargets targets = new WebhookTargets(AllowList.NONE, host -> addresses);
        Verdict verdict = targets.check("https://hooks.example.com/bank");
        boolean anyForbidden = forbiddenV4(first[0] & 0xff, first[1] & 0xff, first[2] & 0xff) || forbiddenV6(second);
        assertThat(verdict.allowed()).as(verdict.toString()).isEqualTo(!anyForbidden);
        if (anyForbidden) assertThat(verdict.refusal()).contains("hooks.example.com").contains("may not reach");
    }

    @Property(tries = 500)
    void anAllowListedBlockWinsOverTheRules(@ForAll("ipv4") byte[] a) throws Exception {
        InetAddress address = InetAddress.getByAddress(a);
        String block = (a[0] & 0xff) + "." + (a[1] & 0xff) + ".0.0/16";
        WebhookTargets targets = new WebhookTargets(AllowList.parse("other.example, " + block), host -> new InetAddress[] {address});
        assertThat(targets.check("https://internal.example/x").allowed()).isTrue();
        assertThat(targets.check("http://internal.example/x").allowed()).as("http to an allow-listed block").isTrue();
    }

    // ---- examples ----

    private static final Map<String, String> TABLE = Map.of(
            "public.example", "93.184.216.34",
            "metadata.example", "169.254.169.254",
            "rebound.example", "127.0.0.1",
            "v6.example", "2606:4700::6810:85e5",
            "ula.example", "fd12:3456::1");

    private static WebhookTargets targets(String allowList) {
        return new WebhookTargets(AllowList.parse(allowList), host -> {
            String address = TABLE.get(host);
            if (address != null) return new InetAddress[] {InetAddress.getByName(address)};
            if (WebhookTargets.literal(host)) return new InetAddress[] {InetAddress.getByName(host)};
            throw new UnknownHostException(host);
        });
    }

    @Example
    void theUsualSuspectsAreRefused() {
        WebhookTargets closed = targets("");
        for (String url : List.of("https://127.0.0.1/x", "https://localhost.example:443/", "https://[::1]/x",
                "https://[::ffff:127.0.0.1]/x", "https://[::ffff:a9fe:a9fe]/latest/meta-data", "https://10.1.2.3/",
                "https://172.31.255.255/", "https://192.168.0.1/", "https://100.64.0.1/", "https://0.0.0.0/",
                "https://169.254.169.254/latest/meta-data/", "https://metadata.example/", "https://rebound.example/",
                "https://[fd12:3456::1]/", "https://ula.example/", "https://[fe80::1]/", "https://224.0.0.1/",
                "https://255.255.255.255/", "https://[64:ff9b::7f00:1]/", "https://[2002:7f00:1::]/",
                "https://nowhere.example/")) {
            assertThat(closed.check(url).allowed()).as(url).isFalse();
        }
        assertThat(closed.check("https://public.example/hooks?x=1").allowed()).isTrue();
        assertThat(closed.check("https://v6.example/").allowed()).isTrue();
        assertThat(closed.check("https://93.184.216.34:8443/h").allowed()).isTrue();
        assertThat(closed.check("http://public.example/h").refusal()).contains("https");
    }

    @Example
    void theFormOfAUrlIsCheckedBeforeAnythingIsResolved() {
        WebhookTargets targets = new WebhookTargets(AllowList.NONE, host -> {
            throw new AssertionError("resolved " + host);
        });
        for (String url : List.of("", "ftp://public.example/", "/relative", "public.example/x", "https://user:pw@public.example/",
                "https://public.example/#frag", "https:///nohost", "https://public.example:0/", "javascript:alert(1)",
                "https://public.example/" + "a".repeat(WebhookTargets.MAX_URL_LENGTH), "https://a b.example/",
                "file:///etc/passwd", "https://under_score.example/")) {
            assertThat(targets.check(url).allowed()).as(url).isFalse();
            assertThat(WebhookTargets.formProblem(url)).as(url).isNotNull();
        }
    }

    @Example
    void anAllowListedHostNameIsAllowedOverHttpWhateverItResolvesTo() {
        WebhookTargets local = targets("localhost, 127.0.0.0/8");
        assertThat(local.check("http://localhost:9000/hook").allowed()).isTrue();
        assertThat(local.check("http://LOCALHOST./hook").allowed()).isTrue();
        assertThat(local.check("http://127.0.0.1:9000/hook").allowed()).isTrue();
        assertThat(local.check("http://rebound.example/hook").allowed()).as("resolves into a listed block").isTrue();
        assertThat(local.check("http://[::1]:9000/hook").allowed()).as("::1 is not in 127/8").isFalse();
        assertThat(local.check("https://10.0.0.1/").allowed()).isFalse();
    }

    @Example
    void theAllowListIsParsedStrictly() {
        assertThat(AllowList.parse(" ").hosts()).isEmpty();
        assertThat(AllowList.parse("Hooks.Example., 10.0.0.0/8, [::1], fd00::/8").toString())
                .isEqualTo("hooks.example,10.0.0.0/8,0:0:0:0:0:0:0:1/128,fd00:0:0:0:0:0:0:0/8");
        assertThatThrownBy(() -> AllowList.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AllowList.parse("http://x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AllowList.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
    }
}
