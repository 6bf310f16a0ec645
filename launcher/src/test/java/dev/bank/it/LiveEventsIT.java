package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.config.LiveEventsConfig;
import dev.bank.gateway.events.SseTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live event stream end to end: a real KRaft broker, the processor and gateways, REST commands, and a client that
 * reads {@code GET /accounts/{id}/events} as an EventSource does. Every posting and hold change arrives in order with
 * the balance after it; a client that disconnects, or whose gateway stops (it sees the response end, cleanly), resumes
 * with {@code Last-Event-ID}, on the same gateway or on a new one, without a gap or a duplicate; events no longer kept
 * are one reset event; concurrent writers are seen in one order by every reader; and only the account's owner (or an
 * admin) gets a stream: 401 without a token, 404 for another's account, 400 for a start that is no event sequence.
 */
class LiveEventsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Few kept events, so that a client that was away long enough misses some. */
    private static final int KEPT = 20;

    @TempDir
    static Path stateDir;
    static BankSystem bank;
    private final List<SseTestClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        bank = BankSystem.start(stateDir, Map.of("BANK_EVENTS_KEPT", String.valueOf(KEPT)), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bank != null) bank.close();
    }

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        clients.forEach(SseTestClient::close);
    }

    private SseTestClient stream(int port, String account, String token, Map<String, String> headers, String query) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        if (token != null) all.put("Authorization", "Bearer " + token);
        SseTestClient client = SseTestClient.open("http://127.0.0.1:" + port + "/accounts/" + account + "/events"
                + query, all);
        clients.add(client);
        return client;
    }

    private SseTestClient stream(String account, Map<String, String> headers, String query) {
        return stream(bank.gateway().port(), account, BankStack.customerToken(), headers, query);
    }

    private static void ok(Http.Response r, int status) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
    }

    private static void open(String account, String deposit) {
        String body = "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\""
                + (deposit == null ? "" : ",\"initialDeposit\":\"" + deposit + "\"") + "}";
        ok(bank.http().post("/accounts", body, "open-" + account), 201);
    }

    private static Http.Response credit(String account, String amount, String id) {
        Http.Response r = bank.http().post("/transaction", "{\"accountId\":\"" + account + "\",\"type\":\"credit\","
                + "\"amount\":\"" + amount + "\"}", id);
        ok(r, 200);
        return r;
    }

    private static List<Long> sequences(List<SseTestClient.Event> events) {
        return events.stream().map(SseTestClient.Event::sequence).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** What one event should say: its type, the posting's type (for postings) and the balances after it. */
    private record Expected(String type, String posting, String balance, String available, String held) {}

    private static void check(SseTestClient.Event event, long sequence, String account, Expected expected) {
        JsonNode json = event.json();
        assertThat(event.sequence()).isEqualTo(sequence);
        assertThat(event.type()).as("event %d", sequence).isEqualTo(expected.type());
        assertThat(json.get("type").asText()).isEqualTo(expected.type());
        assertThat(json.get("sequence").asLong()).isEqualTo(sequence);
        assertThat(json.get("eventId").asText()).isEqualTo(account + ":" + sequence);
        assertThat(json.get("accountId").asText()).isEqualTo(account);
        assertThat(json.get("currency").asText()).isEqualTo("EUR");
        assertThat(json.get("balance").decimalValue()).as("balance after event %d", sequence)
                .isEqualByComparingTo(expected.balance());
        assertThat(json.get("available").decimalValue()).as("available after event %d", sequence)
                .isEqualByComparingTo(expected.available());
        assertThat(json.get("held").decimalValue()).as("held after event %d", sequence)
                .isEqualByComparingTo(expected.held());
        if (expected.posting() != null) {
            assertThat(json.get("posting").get("type").asText()).isEqualTo(expected.posting());
            assertThat(json.get("posting").get("balanceAfter").decimalValue()).isEqualByComparingTo(expected.balance());
        } else {
            assertThat(json.get("hold")).as("a hold change").isNotNull();
        }
    }

    @Test
    void everyPostingAndHoldChangeArrivesInOrderWithTheBalanceAfterIt() throws Exception {
        open("le-a", "1000");
        open("le-b", null);
        SseTestClient a = stream("le-a", Map.of(), "?after=0");
        SseTestClient b = stream("le-b", Map.of(), "?after=0");
        SseTestClient newOnly = stream("le-a", Map.of(), "");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Content-Type")).startsWith("text/event-stream");
        assertThat(a.header("Cache-Control")).contains("no-cache");
        org.awaitility.Awaitility.await().atMost(WAIT).until(newOnly::openingBlockSeen);
        assertThat(newOnly.lastEventId()).as("starts after the opening deposit").isEqualTo("1");

        credit("le-a", "100", "le-a-credit");
        ok(bank.http().post("/transaction", "{\"accountId\":\"le-a\",\"type\":\"debit\",\"amount\":\"30\"}",
                "le-a-debit"), 200);
        ok(bank.http().post("/accounts/le-a/holds", "{\"amount\":\"20\",\"holdId\":\"le-h1\",\"reference\":\"hotel\"}",
                null), 201);
        ok(bank.http().post("/accounts/le-a/holds/le-h1/capture", "{\"amount\":\"5\",\"transactionId\":\"le-cap\"}",
                null), 200);
        ok(bank.http().post("/accounts/le-a/holds/le-h1/void", "{\"transactionId\":\"le-void\"}", null), 200);
        ok(bank.http().post("/transfers", "{\"fromAccountId\":\"le-a\",\"toAccountId\":\"le-b\",\"amount\":\"10\"}",
                "le-tr-1"), 200);
        ok(bank.http().post("/transfers", "{\"fromAccountId\":\"le-a\",\"toAccountId\":\"le-nobody\",\"amount\":\"7\"}",
                "le-tr-2"), 404); // refunded

        List<Expected> expected = List.of(
                new Expected("posting.created", "OPENING_DEPOSIT", "1000", "1000", "0"),
                new Expected("posting.created", "CREDIT", "1100", "1100", "0"),
                new Expected("posting.created", "DEBIT", "1070", "1070", "0"),
                new Expected("hold.placed", null, "1070", "1050", "20"),
                new Expected("posting.created", "HOLD_CAPTURE", "1065", "1050", "15"),
                new Expected("hold.captured", null, "1065", "1050", "15"),
                new Expected("hold.voided", null, "1065", "1065", "0"),
                new Expected("posting.created", "TRANSFER_OUT", "1055", "1055", "0"),
                new Expected("posting.created", "TRANSFER_OUT", "1048", "1048", "0"),
                new Expected("posting.created", "TRANSFER_REFUND", "1055", "1055", "0"));
        List<SseTestClient.Event> got = a.take(expected.size(), WAIT);
        for (int i = 0; i < expected.size(); i++) check(got.get(i), i + 1, "le-a", expected.get(i));
        JsonNode captured = got.get(5).json().get("hold");
        assertThat(captured.get("change").asText()).isEqualTo("CAPTURED");
        assertThat(captured.get("amount").decimalValue()).isEqualByComparingTo("5");
        assertThat(captured.get("hold").get("holdId").asText()).isEqualTo("le-h1");
        assertThat(got.get(7).json().get("posting").get("counterpartyAccountId").asText()).isEqualTo("le-b");

        check(b.take(1, WAIT).get(0), 1, "le-b", new Expected("posting.created", "TRANSFER_IN", "10", "10", "0"));
        assertThat(sequences(newOnly.take(expected.size() - 1, WAIT))).isEqualTo(range(2, expected.size()));
        assertThat(a.next(Duration.ofMillis(300))).as("nothing more").isNull();
        assertThat(bank.http().get("/balance/le-a").body().get("balance").decimalValue())
                .isEqualByComparingTo("1055");
    }

    @Test
    void aClientThatDisconnectsResumesWithLastEventIdWithoutGapsOrDuplicates() throws Exception {
        open("le-r", "1");
        SseTestClient first = stream("le-r", Map.of(), "?after=0");
        for (int i = 1; i <= 5; i++) credit("le-r", "1", "le-r-" + i);
        assertThat(sequences(first.take(6, WAIT))).isEqualTo(range(1, 6));
        String resumeFrom = first.lastEventId();
        first.close();

        // commands go on while the client is away, and while it comes back
        for (int i = 6; i <= 10; i++) credit("le-r", "1", "le-r-" + i);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<?> more = writer.submit(() -> {
            for (int i = 11; i <= 30; i++) credit("le-r", "1", "le-r-" + i);
        });
        SseTestClient again = stream("le-r", Map.of("Last-Event-ID", resumeFrom), "");
        more.get(60, TimeUnit.SECONDS);
        writer.shutdown();
        List<SseTestClient.Event> rest = again.take(25, WAIT);
        assertThat(sequences(rest)).isEqualTo(range(7, 31));
        assertThat(rest.get(24).json().get("balance").decimalValue()).isEqualByComparingTo("31");
        assertThat(again.next(Duration.ofMillis(300))).as("no duplicate").isNull();
    }

    @Test
    void aStreamWhoseGatewayStopsEndsCleanlyAndResumesOnANewGateway() throws Exception {
        open("le-g", "1");
        LiveEventsConfig quick = LiveEventsConfig.defaults().withHeartbeat(Duration.ofMillis(300));
        GatewayApp first = bank.stack().startGateway(bank.stack().gatewayConfig(List.of(bank.processor().queryUrl()))
                .withEvents(quick));
        SseTestClient stream;
        try {
            stream = stream(first.port(), "le-g", BankStack.customerToken(), Map.of(), "?after=0");
            for (int i = 1; i <= 3; i++) credit("le-g", "1", "le-g-" + i);
            assertThat(sequences(stream.take(4, WAIT))).isEqualTo(range(1, 4));
            org.awaitility.Awaitility.await().atMost(WAIT).until(() -> stream.comments().contains("heartbeat"));
        } finally {
            first.close();
        }
        // the gateway's stop ends the response (a clean end, with a comment saying why): the client reconnects
        assertThat(stream.awaitEnd(WAIT)).isEqualTo(SseTestClient.End.CLEAN);
        assertThat(stream.comments()).anyMatch(c -> c.contains("shutting down"));

        for (int i = 4; i <= 7; i++) credit("le-g", "1", "le-g-" + i);
        GatewayApp second = bank.stack().startGateway(bank.stack().gatewayConfig(List.of(bank.processor().queryUrl()))
                .withEvents(quick));
        try {
            SseTestClient resumed = stream(second.port(), "le-g", BankStack.customerToken(),
                    Map.of("Last-Event-ID", stream.lastEventId()), "");
            assertThat(sequences(resumed.take(4, WAIT))).isEqualTo(range(5, 8));
            for (int i = 8; i <= 9; i++) credit("le-g", "1", "le-g-" + i);
            List<SseTestClient.Event> live = resumed.take(2, WAIT);
            assertThat(sequences(live)).isEqualTo(range(9, 10));
            assertThat(live.get(1).json().get("balance").decimalValue()).isEqualByComparingTo("10");
            assertThat(resumed.next(Duration.ofMillis(300))).isNull();
        } finally {
            second.close();
        }
    }

    @Test
    void aClientAwayForLongerThanTheKeptEventsGetsOneResetThenWhatIsKept() throws Exception {
        open("le-k", "1");
        SseTestClient first = stream("le-k", Map.of(), "?after=0");
        assertThat(sequences(first.take(1, WAIT))).containsExactly(1L);
        first.close();
        int more = KEPT + 5;
        for (int i = 1; i <= more; i++) credit("le-k", "1", "le-k-" + i);
        SseTestClient again = stream("le-k", Map.of("Last-Event-ID", "1"), "");
        List<SseTestClient.Event> got = again.take(1 + KEPT, WAIT);
        SseTestClient.Event reset = got.get(0);
        long newest = 1 + more;
        long firstKept = newest - KEPT + 1;
        assertThat(reset.type()).isEqualTo("reset");
        assertThat(reset.sequence()).isEqualTo(firstKept - 1);
        assertThat(reset.json().get("lostFrom").asLong()).isEqualTo(2);
        assertThat(reset.json().get("lostTo").asLong()).isEqualTo(firstKept - 1);
        assertThat(reset.json().get("balanceUrl").asText()).isEqualTo("/balance/le-k");
        assertThat(sequences(got.subList(1, got.size()))).isEqualTo(range(firstKept, newest));
    }

    @Test
    void concurrentWritersAreSeenInOneOrderByEveryReader() throws Exception {
        open("le-c", "0.01");
        List<SseTestClient> readers = List.of(stream("le-c", Map.of(), "?after=0"),
                stream("le-c", Map.of(), "?after=0"),
                stream(bank.gateway().port(), "le-c", BankStack.adminToken(), Map.of(), "?after=0"));
        int writes = 80;
        ExecutorService writers = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 1; i <= writes; i++) {
            int n = i;
            done.add(writers.submit(() -> credit("le-c", "0.0" + (n % 9 + 1), "le-c-" + n)));
        }
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        writers.shutdown();
        List<List<SseTestClient.Event>> seen = new ArrayList<>();
        for (SseTestClient reader : readers) {
            List<SseTestClient.Event> events = reader.take(writes + 1, WAIT);
            assertThat(sequences(events)).isEqualTo(range(1, writes + 1));
            // each balance is the one before it plus the posting's amount
            BigDecimal balance = BigDecimal.ZERO;
            for (SseTestClient.Event e : events) {
                balance = balance.add(e.json().get("posting").get("amount").decimalValue());
                assertThat(e.json().get("balance").decimalValue()).isEqualByComparingTo(balance);
            }
            seen.add(events);
        }
        assertThat(seen.get(1)).isEqualTo(seen.get(0));
        assertThat(seen.get(2)).isEqualTo(seen.get(0));
        assertThat(bank.http().get("/balance/le-c").body().get("balance").decimalValue())
                .isEqualByComparingTo(seen.get(0).get(writes).json().get("balance").decimalValue());
    }

    @Test
    void onlyTheOwnerOrAnAdminGetsAStreamAndAHostileStartIs400() throws Exception {
        open("le-s", "5");
        int port = bank.gateway().port();
        SseTestClient anonymous = stream(port, "le-s", null, Map.of(), "");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(anonymous.header("Content-Type")).startsWith("application/problem+json");
        SseTestClient mallory = stream(port, "le-s", BankStack.token("le-mallory", Scope.READ), Map.of(), "");
        assertThat(mallory.status()).isEqualTo(404);
        assertThat(mallory.header("Content-Type")).startsWith("application/problem+json");
        assertThat(mallory.problem().get("title").asText())
                .isEqualTo(bank.http().get("/balance/le-nobody").body().get("title").asText());
        assertThat(stream("le-nobody", Map.of(), "").status()).isEqualTo(404);
        for (String bad : List.of("x", "-1", "1e3", "9".repeat(19), "7".repeat(500))) {
            SseTestClient refused = stream("le-s", Map.of("Last-Event-ID", bad), "");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.problem().get("errors").has("Last-Event-ID")).isTrue();
        }
        assertThat(stream("le-s", Map.of(), "?after=abc").status()).isEqualTo(400);
        assertThat(stream("le-s", Map.of("Last-Event-ID", "2"), "").status()).as("beyond the newest").isEqualTo(400);
        SseTestClient readOnly = stream(port, "le-s", BankStack.token(BankStack.CUSTOMER, Scope.READ), Map.of(),
                "?after=0");
        assertThat(readOnly.status()).isEqualTo(200);
        assertThat(sequences(readOnly.take(1, WAIT))).containsExactly(1L);
        // the metrics operations.md names
        assertThat(bank.http().as(BankStack.adminToken()).raw("/metrics")).contains("bank_gateway_events_streams",
                "bank_gateway_events_delivered_total", "bank_gateway_events_backlog_fetches_total",
                "bank_gateway_events_resets_total", "bank_gateway_events_ended_total{",
                "bank_gateway_events_refused_total{", "bank_gateway_events_received_total",
                "bank_gateway_events_unreadable_total");
    }
}
