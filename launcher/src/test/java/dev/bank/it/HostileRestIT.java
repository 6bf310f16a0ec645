package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.observability.RawHttp;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input against the real system (a broker, the processor, the gateway): whatever arrives (any body on
 * every write route, any path, method and headers on the REST API and on the processor's query API) is answered
 * within a few seconds, never with a 500, and every error is a problem document whose status is the HTTP
 * status; a 405 names what the path allows. Requests go over raw sockets, so nothing is cleaned up on the way.
 */
class HostileRestIT {
    /** A command's outcome arrives in milliseconds; a request held longer is one the bank is stuck on. */
    private static final long ANSWER_MILLIS = 5_000;
    private static Path stateDir;
    private static BankSystem bank;
    private static int gateway;
    private static int query;

    @BeforeContainer
    static void startTheBank() throws Exception {
        stateDir = Files.createTempDirectory("hostile-rest");
        // webhooks may target a closed port on loopback only: nothing leaves the machine
        bank = BankSystem.start(stateDir, Map.of("BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"), 1);
        gateway = bank.gateway().port();
        query = java.net.URI.create(bank.processor().queryUrl()).getPort();
        assertThat(bank.http().post("/accounts", "{\"accountId\":\"alice\",\"currency\":\"EUR\",\"initialDeposit\":1000}",
                "open-alice").status()).isEqualTo(201);
        assertThat(bank.http().post("/accounts", "{\"accountId\":\"bob\",\"currency\":\"EUR\"}", "open-bob").status())
                .isEqualTo(201);
    }

    @AfterContainer
    static void stopTheBank() throws Exception {
        if (bank != null) bank.close();
    }

    // ---- properties ----

    @Property(tries = 300)
    void anyBodyOnAnyWriteRouteIsAnsweredOrRefusedAsAProblem(@ForAll("writeRoutes") String route,
                                                            @ForAll("bodies") byte[] body,
                                                            @ForAll("contentTypes") String contentType,
                                                            @ForAll("idempotencyKeys") String key) throws Exception {
        String[] methodAndPath = route.split(" ", 2);
        StringBuilder head = new StringBuilder(methodAndPath[0] + " " + methodAndPath[1] + " HTTP/1.1\r\n" + host(gateway)
                + "Connection: close\r\nContent-Length: " + body.length + "\r\n");
        if (contentType != null) head.append("Content-Type: ").append(contentType).append("\r\n");
        if (key != null) head.append("Idempotency-Key: ").append(key).append("\r\n");
        head.append("\r\n");
        holds(gateway, methodAndPath[0], head.toString().getBytes(StandardCharsets.UTF_8), body);
    }

    @Property(tries = 400)
    void anyPathMethodAndHeadersOnTheRestApi(@ForAll("methods") String method, @ForAll("gatewayPaths") String path,
                                            @ForAll("headers") String headers) throws Exception {
        holds(gateway, method, request(gateway, method, path, headers), null);
    }

    @Property(tries = 300)
    void anyPathMethodAndHeadersOnTheQueryApi(@ForAll("methods") String method, @ForAll("queryPaths") String path,
                                             @ForAll("headers") String headers) throws Exception {
        holds(query, method, request(query, method, path, headers), null);
    }

    // ---- examples: each class of defect once, readably ----

    @Example
    void statementMonthsAreFourDigitYearsAndTwoDigitMonthsOnBothApis() throws Exception {
        for (String month : List.of("-2026-01", "+2026-01", "02026-01", "2026-13", "2026-1")) {
            String encoded = month.replace("+", "%2B");
            problem(get(gateway, "/accounts/alice/statements/" + encoded), 400);
            problem(get(query, "/internal/accounts/alice/statements/" + encoded), 400);
        }
        for (String month : List.of("2026-01", "0000-01", "0001-01", "9999-12")) {
            assertThat(get(gateway, "/accounts/alice/statements/" + month).status()).as(month).isEqualTo(200);
            assertThat(get(gateway, "/accounts/alice/statements/" + month + "?format=csv").status()).isEqualTo(200);
            assertThat(get(query, "/internal/accounts/alice/statements/" + month).status()).as(month).isEqualTo(200);
        }
    }

    @Example
    void anImpossibleIdIsTheSame404AsAMissingOne() throws Exception {
        JsonNode missing = problem(get(gateway, "/balance/never-opened-" + System.nanoTime()), 404);
        for (String id : List.of("a%20b", "x".repeat(65), "%C3%A9", "a:b", "a%2Bb")) {
            JsonNode impossible = problem(get(gateway, "/balance/" + id), 404);
            assertThat(impossible.get("title")).isEqualTo(missing.get("title"));
            assertThat(impossible.get("reason")).isEqualTo(missing.get("reason"));
            problem(get(gateway, "/accounts/" + id + "/transactions/t-1"), 404);
            problem(get(gateway, "/accounts/alice/transfers/" + id.replace("a:b", "a%20b")), 404);
        }
        JsonNode longOne = problem(get(gateway, "/balance/" + "y".repeat(5000)), 404);
        assertThat(longOne.get("detail").asText().length()).isLessThan(200);
    }

    @Example
    void historyParametersBeyondWhatALongHoldsAre400OnBothApis() throws Exception {
        for (String params : List.of("?cursor=9999999999999999999", "?from=%2B1000000000-01-01T00:00:00Z",
                "?to=-1000000000-01-01T00:00:00Z")) {
            problem(get(gateway, "/accounts/alice/transactions" + params), 400);
            problem(get(query, "/internal/accounts/alice/history" + params), 400);
        }
    }

    @Example
    void aBodyThatNeverArrivesIsA408WithinSeconds() throws Exception {
        long started = System.nanoTime();
        var a = RawHttp.send(gateway, "POST /transaction HTTP/1.1\r\n" + host(gateway) + "Connection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n", "{\"acc".getBytes(StandardCharsets.UTF_8));
        problem(a, 408);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(ANSWER_MILLIS);
    }

    @Example
    void clientsThatStallTheirBodiesDoNotStallOthers() throws Exception {
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2 * dev.bank.observability.HttpListener.MAX_THREADS; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway);
                socket.getOutputStream().write(("POST /transaction HTTP/1.1\r\n" + host(gateway)
                        + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{").getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                stalled.add(socket);
            }
            long started = System.nanoTime();
            var balance = get(gateway, "/balance/alice");
            long millis = (System.nanoTime() - started) / 1_000_000;
            Statistics.label("balance answered in ms while clients stall").collect(millis / 1000 * 1000);
            assertThat(balance.status()).isEqualTo(200);
            assertThat(millis).isLessThan(ANSWER_MILLIS);
        } finally {
            for (java.net.Socket socket : stalled) socket.close();
        }
    }

    @Example
    void aBodyAbove64KiBIs413() throws Exception {
        byte[] body = ("{\"reference\":\"" + "r".repeat(70 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        var a = RawHttp.send(gateway, "POST /transfers HTTP/1.1\r\n" + host(gateway) + "Connection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n", body);
        problem(a, 413);
    }

    @Example
    void aFieldTwiceOrASecondDocumentIsA400ThatSaysSo() throws Exception {
        var twice = post("/transaction", "{\"accountId\":\"alice\",\"type\":\"debit\",\"amount\":1,\"amount\":500}");
        assertThat(problem(twice, 400).get("errors").get("body").asText()).contains("Duplicate field 'amount'");
        var two = post("/transaction", "{\"accountId\":\"alice\",\"type\":\"credit\",\"amount\":1} "
                + "{\"accountId\":\"alice\",\"type\":\"credit\",\"amount\":500}");
        assertThat(problem(two, 400).get("errors").get("body").asText()).contains("more after the JSON object");
    }

    @Example
    void aHugeExponentIsRefusedAtOnce() throws Exception {
        long started = System.nanoTime();
        problem(post("/transaction", "{\"accountId\":\"alice\",\"type\":\"credit\",\"amount\":1e10000000}"), 400);
        problem(post("/transaction", "{\"accountId\":\"alice\",\"type\":\"credit\",\"amount\":1e50}"), 400);
        problem(RawHttp.send(gateway, "PUT /accounts/alice/interest-rate HTTP/1.1\r\n" + host(gateway) + "Connection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: 25\r\n\r\n",
                "{\"interestRate\":1e999999}".getBytes(StandardCharsets.UTF_8)), 400);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(ANSWER_MILLIS);
    }

    @Example
    void aWrongMethodIs405WithAllow() throws Exception {
        var a = RawHttp.send(gateway, "DELETE /balance/alice HTTP/1.1\r\nHost: bank\r\nConnection: close\r\n\r\n", null);
        problem(a, 405);
        assertThat(a.header("Allow")).contains("GET");
        var b = RawHttp.send(gateway, "GET /transfers HTTP/1.1\r\nHost: bank\r\nConnection: close\r\n\r\n", null);
        problem(b, 405);
        assertThat(b.header("Allow")).isEqualTo("POST");
    }

    @Example
    void reviewQueryParametersAndForwardedPartsOutsideTheRulesAre400OnBothApis() throws Exception {
        for (String params : List.of("?limit=0", "?limit=1001", "?limit=x", "?status=OPEN")) {
            problem(get(gateway, "/reviews" + params), 400);
            problem(get(gateway, "/accounts/alice/reviews" + params), 400);
            problem(get(query, "/internal/reviews" + params), 400);
        }
        // a forwarded part of the queue names the partitions it answers for, each one that exists
        for (String partitions : List.of("", "&partitions=", "&partitions=6", "&partitions=1,,2", "&partitions=a")) {
            problem(get(query, "/internal/reviews?forwarded=true" + partitions), 400);
        }
        assertThat(get(query, "/internal/reviews?forwarded=true&partitions=0,1,2,3,4,5").status()).isEqualTo(200);
        problem(get(gateway, "/accounts/alice/reviews/" + "x".repeat(200)), 404);
        assertThat(problem(get(gateway, "/accounts/alice/reviews/r%20-1"), 404).get("reason").asText())
                .isEqualTo("REVIEW_NOT_FOUND");
    }

    @Example
    void fraudRulesBodiesThatAreNotRulesAre400NamingTheField() throws Exception {
        JsonNode p = problem(put("/accounts/alice/fraud-rules", "{\"newPayeAmount\":\"500\",\"x\":[{}]}"), 400);
        assertThat(p.get("errors").has("newPayeAmount")).isTrue();
        assertThat(p.get("errors").has("x")).isTrue();
        for (String body : List.of("{\"velocityMaxCount\":1e1000000}", "{\"dailyOutflowCap\":1e10000000}",
                "{\"enabled\":\"false\"}", "{\"largeAmountFactor\":99999999999999999999999}",
                "{\"newPayeeAmount\":\"0.001\"}", "{\"structuringThreshold\":-1}")) {
            problem(put("/accounts/alice/fraud-rules", body), 400);
        }
    }

    private static RawHttp.Answer put(String path, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return RawHttp.send(gateway, "PUT " + path + " HTTP/1.1\r\n" + host(gateway) + "Connection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n", body);
    }

    @Example
    void aLiveStreamsStartThatIsNoEventSequenceIs400NamingItAndAGoodOneAStream() throws Exception {
        for (String value : List.of("abc", "-1", "1.0", "+1", " 1 2", "\u00ff\u00fe", "9".repeat(19),
                "1".repeat(6000), "18446744073709551616", "%30")) {
            RawHttp.Answer a = RawHttp.send(gateway, ("GET /accounts/alice/events HTTP/1.1\r\n" + host(gateway)
                    + "Connection: close\r\nLast-Event-ID: " + value + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                    null);
            assertThat(problem(a, 400).get("errors").has("Last-Event-ID")).as(value).isTrue();
        }
        problem(get(gateway, "/accounts/alice/events?after=%FF"), 400);
        problem(get(gateway, "/accounts/alice/events?after=" + "1".repeat(5000)), 400);
        problem(get(gateway, "/accounts/nobody/events"), 404);
        RawHttp.Answer stream = get(gateway, "/accounts/alice/events?after=0");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
    }

    @Example
    void theBankStillAddsUpAfterwards() throws Exception {
        var balance = get(gateway, "/balance/alice");
        assertThat(balance.status()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(balance.body()).get("balance").asText()).matches("[0-9]+\\.[0-9]{2}");
    }

    // ---- the invariant ----

    private static void holds(int port, String method, byte[] head, byte[] body) throws Exception {
        long started = System.nanoTime();
        RawHttp.Answer a = RawHttp.send(port, head, body);
        long millis = (System.nanoTime() - started) / 1_000_000;
        Statistics.label("status").collect(a.status());
        String request = new String(head, 0, Math.min(head.length, 300), StandardCharsets.ISO_8859_1);
        assertThat(millis).as("answered in ms: " + request).isLessThan(ANSWER_MILLIS);
        assertThat(a.status()).as(request + " -> " + a).isNotEqualTo(500).isBetween(200, 599);
        if (a.status() == 503) {
            assertThat(a.header("Retry-After")).as(request).isNotNull();
        }
        if (a.status() >= 400) {
            assertThat(a.header("Content-Type")).as(request + " -> " + a).startsWith(Problem.CONTENT_TYPE);
            if (!method.equals("HEAD")) {
                JsonNode p = Json.MAPPER.readTree(a.body());
                assertThat(p.get("status").asInt()).as(request + " -> " + a).isEqualTo(a.status());
                assertThat(p.get("title").asText()).isNotBlank();
            }
        }
        if (a.status() == 405) assertThat(a.header("Allow")).as(request).isNotBlank();
    }

    /**
     * The Host header and the credential of the API on {@code port}: an admin's token at the gateway (so no route
     * stops at authorization and every one is reached), the service credential at the query API.
     */
    private static String host(int port) {
        String token = port == query ? BankStack.SERVICE_TOKEN : BankStack.adminToken();
        return "Host: bank\r\nAuthorization: Bearer " + token + "\r\n";
    }

    private static byte[] request(int port, String method, String path, String headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((method + " ").getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(path.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes((" HTTP/1.1\r\n" + host(port) + "Connection: close\r\n" + headers + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static RawHttp.Answer get(int port, String path) throws Exception {
        return RawHttp.send(port, "GET " + path + " HTTP/1.1\r\n" + host(port) + "Connection: close\r\n\r\n", null);
    }

    private static RawHttp.Answer post(String path, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return RawHttp.send(gateway, "POST " + path + " HTTP/1.1\r\n" + host(gateway) + "Connection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n", body);
    }

    private static JsonNode problem(RawHttp.Answer a, int status) throws Exception {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("Content-Type")).startsWith(Problem.CONTENT_TYPE);
        JsonNode p = Json.MAPPER.readTree(a.body());
        assertThat(p.get("status").asInt()).isEqualTo(status);
        return p;
    }

    // ---- generators ----

    @Provide
    Arbitrary<String> writeRoutes() {
        return Arbitraries.of("POST /accounts", "POST /transaction", "POST /transfers",
                "PUT /accounts/alice/interest-rate", "PUT /accounts/nobody/interest-rate", "POST /fx/quotes",
                "POST /fx/rates", "PUT /accounts/alice/fraud-rules", "PUT /accounts/nobody/fraud-rules",
                "POST /accounts/alice/reviews/r-1/approve", "POST /accounts/alice/reviews/r-1/reject", "POST /webhooks",
                "POST /webhooks/wh_none/replay", "DELETE /webhooks/wh_none", "POST /webhooks/x%00/replay");
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<String> id = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of("alice", "bob", "nobody")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(80)));
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.of("1", "0.01", "12.34", "0", "-5", "1e3", "1e10000000", "1E+999999999", "1e-999999999",
                        "0.0000000000000000000000000000000000000000001", "99999999999999999999999999999999999999999",
                        "1.005", "\"7.50\"", "\"1e3\"", "\" 5 \"", "null", "true", "[]", "{}", "\"\"", "\"\u0000\""),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(99),
                Combinators.combine(Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20),
                        Arbitraries.integers().between(-999_999_999, 999_999_999)).as((d, e) -> d + "e" + e));
        Arbitrary<String> text = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("=HYPERLINK(\"http://evil\")", "+cmd|' /C calc'!A0", "credit", "debit", "EUR", "JPY",
                        "USD", "PT1H", "P99999999D", "PT-1S", "2026-12-01T00:00:00Z", "+999999999-12-31T23:59:59Z",
                        "q-1", "http://127.0.0.1:9/hook", "https://10.0.0.1/", "https://hooks.invalid/x",
                        "http://[::1]/", "https://u:p@127.0.0.1/", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_",
                        "posting.created"));
        Arbitrary<String> field = Arbitraries.of("accountId", "fromAccountId", "toAccountId", "amount",
                "initialDeposit", "interestRate", "type", "currency", "transactionId", "reference", "extra",
                "quoteId", "from", "to", "base", "quote", "rate", "validFor", "validUntil", "validFrom", "rateId",
                "enabled", "velocityMaxCount", "largeAmountFactor", "dailyOutflowCap", "newPayeeAmount",
                "structuringThreshold", "url", "eventTypes", "accountIds", "secret", "description", "since");
        Arbitrary<String> value = Arbitraries.oneOf(id.map(HostileRestIT::quoted), number, text.map(HostileRestIT::quoted),
                Arbitraries.of("[\"posting.created\",\"hold.placed\"]", "[\"balance.changed\"]", "[\"alice\",\"a b\"]",
                        "[1,{}]", "[]", "[" + "\"alice\",".repeat(150) + "\"bob\"]"));
        Arbitrary<String> member = Combinators.combine(field, value).as((f, v) -> quoted(f) + ":" + v);
        Arbitrary<String> object = member.list().ofMaxSize(10).map(m -> m.stream().collect(Collectors.joining(",", "{", "}")));
        Arbitrary<String> plausible = Combinators.combine(Arbitraries.of("credit", "debit"), number, id, id)
                .as((type, amount, from, to) -> "{\"accountId\":" + quoted(from) + ",\"fromAccountId\":" + quoted(from)
                        + ",\"toAccountId\":" + quoted(to) + ",\"type\":\"" + type + "\",\"amount\":" + amount
                        + ",\"currency\":\"EUR\",\"interestRate\":" + amount + "}");
        Arbitrary<String> hostile = Arbitraries.oneOf(
                object.map(o -> o + " " + o), object.map(o -> o + "x"),
                Arbitraries.of("{\"amount\":1,\"amount\":500}", "{\"accountId\":\"alice\",\"accountId\":\"bob\"}",
                        "[" .repeat(40) + "]".repeat(40), "", "null", "[]", "\"s\"", "{", "{}}", "\uFEFF{}"),
                Arbitraries.integers().between(1, 200).map(n -> "{\"a\":" + "[".repeat(n) + "]".repeat(n) + "}"));
        Arbitrary<byte[]> asText = Arbitraries.frequencyOf(Tuple.of(4, plausible), Tuple.of(4, object),
                Tuple.of(2, hostile)).map(s -> s.getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(Tuple.of(9, asText),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)));
    }

    private static String quoted(String s) {
        return new String(Json.bytes(s), StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.oneOf(Arbitraries.of("application/json", "application/json; charset=utf-8", "text/plain",
                "application/problem+json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
                "application/json; charset=latin1", "*/*", ""), Arbitraries.just(null), headerJunk());
    }

    @Provide
    Arbitrary<String> idempotencyKeys() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().withChars("abc-:._").ofMinLength(1)
                .ofMaxLength(140), headerJunk());
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                "OPTIONS")), Tuple.of(1, Arbitraries.of("TRACE", "CONNECT", "PROPFIND", "FOO", "get")));
    }

    @Provide
    Arbitrary<String> gatewayPaths() {
        return paths(List.of("accounts", "balance", "transaction", "transactions", "transfers", "statements",
                "interest-rate", "alice", "bob", "2026-01", "-2026-01", "+2026-01", "02026-01", "health", "metrics",
                "reviews", "fraud-rules", "approve", "reject", "r-1", "webhooks", "replay", "wh_none", "events"));
    }

    @Provide
    Arbitrary<String> queryPaths() {
        return paths(List.of("internal", "accounts", "alice", "history", "transactions", "transfers", "statements",
                "2026-01", "+2026-01", "health", "metrics", "reviews", "r-1")).map(p -> Math.random() < 0.7 ? "/internal/accounts" + p : p);
    }

    /** Paths of known and random segments, percent-encodings good and bad, NULs, and sometimes a query string. */
    private static Arbitrary<String> paths(List<String> words) {
        Arbitrary<String> segment = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(words)),
                Tuple.of(2, Arbitraries.strings().alpha().numeric().withChars("-._~:@!$&'()*+,;=").ofMaxLength(30)),
                Tuple.of(2, Arbitraries.of("%00", "%FF", "%C3%28", "%E2%82", "%", "%zz", "%2F", "%2e%2e", "..", ".",
                        "%20", "%C3%A9", "%F0%9F%92%B0", "a%00b", "%25", "%5C", "\u00ff", "\u00e9")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(20).map(HostileRestIT::percentEncodeEverything)),
                Tuple.of(1, Arbitraries.integers().between(60, 9000).map("x"::repeat)));
        Arbitrary<String> query = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just("")),
                Tuple.of(1, Arbitraries.of("?format=csv", "?format=pdf", "?format=%FF", "?limit=0", "?limit=999999999",
                        "?cursor=-1", "?from=2026-13-01", "?from=%00", "?to=" + "9".repeat(300), "?forwarded=true",
                        "?format=" + "z".repeat(500), "?%=%", "?a=1&a=2&&", "?cursor=9999999999999999999",
                        "?from=%2B1000000000-01-01T00:00:00Z", "?to=-1000000000-01-01T00:00:00Z", "?limit=9999",
                        "?status=PENDING", "?status=%00", "?status=expired&limit=1000",
                        "?forwarded=true&partitions=0,1,2,3,4,5", "?forwarded=true&partitions=99999",
                        "?forwarded=true&partitions=" + "0,".repeat(200) + "0", "?partitions=-1", "?after=0",
                        "?after=-1", "?after=%00", "?after=" + "9".repeat(40), "?after=1e3&after=2")));
        return Combinators.combine(segment.list().ofMinSize(0).ofMaxSize(6), query)
                .as((segments, q) -> "/" + String.join("/", segments) + q);
    }

    private static String percentEncodeEverything(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) b.append('%').append(String.format("%02X", x & 0xff));
        return b.toString();
    }

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> one = Arbitraries.oneOf(
                contentTypes().filter(java.util.Objects::nonNull).map(v -> "Content-Type: " + v + "\r\n"),
                Arbitraries.of("application/json", "text/csv", "application/pdf", "*/*", "text/html", "application/xml",
                        "application/problem+json", ";;;", "").map(v -> "Accept: " + v + "\r\n"),
                idempotencyKeys().filter(java.util.Objects::nonNull).map(v -> "Idempotency-Key: " + v + "\r\n"),
                Arbitraries.oneOf(Arbitraries.of("0", "1", "-1", "1e9", "99999999999999999999", "0x10", ""),
                        headerJunk()).map(v -> "Last-Event-ID: " + v + "\r\n"),
                // a declared body that never comes stalls the request until the listener gives up (408): an example
                Arbitraries.of("Content-Length: 0\r\n", "Content-Length: -1\r\n", "Content-Length: abc\r\n",
                        "Content-Length: 1, 2\r\n", "Expect: 100-continue\r\n", "Accept-Encoding: gzip\r\n",
                        "X-Long: " + "h".repeat(20_000) + "\r\n", "Bad Header\r\n", ": empty\r\n"));
        return one.list().ofMaxSize(3).map(list -> String.join("", list));
    }

    /** Header values as bytes: control characters, non-ASCII, overlong. */
    private static Arbitrary<String> headerJunk() {
        return Arbitraries.oneOf(Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(60)
                        .map(s -> s.replace("\r", "").replace("\n", "")),
                Arbitraries.integers().between(100, 12_000).map("k"::repeat));
    }
}
