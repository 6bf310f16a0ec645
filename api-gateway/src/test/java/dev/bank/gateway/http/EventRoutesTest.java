package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.bank.gateway.auth.ApiSecurity;
import dev.bank.gateway.auth.Tokens;
import dev.bank.gateway.config.LiveEventsConfig;
import dev.bank.gateway.events.LiveEvents;
import dev.bank.gateway.events.LiveFeed;
import dev.bank.gateway.events.Sse;
import dev.bank.gateway.events.SseTestClient;
import dev.bank.gateway.kafka.ProcessorClient;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.HttpListener;
import dev.bank.observability.InternalApi;
import dev.bank.observability.PathIds;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live event route on a real HTTP server, with the gateway's access layer, a processor's query API stood in for by
 * a small server that keeps each account's most recent events, and a live feed the test publishes to: catching up
 * from {@code Last-Event-ID} and following the feed without gaps or duplicates, new events only without it, a reset
 * for what is no longer kept, the gaps of the feed filled from the processor, the answers before a stream opens (401,
 * 404, 400 for a hostile start, 429 and 503 at the limits, 503 when the processor cannot be asked), heartbeats, the
 * token's expiry, the gateway's shutdown, and a client that stops reading cut off without holding anyone else up.
 */
class EventRoutesTest {
    @TempDir
    Path dir;

    private final ECKey key = Tokens.newKey();
    private final Tokens tokens = new Tokens(key);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TestFeed feed = new TestFeed();
    private final FakeProcessor processor = new FakeProcessor();
    private Javalin app;
    private LiveEvents live;
    private ProcessorClient processors;
    private int port;
    private final List<SseTestClient> clients = new ArrayList<>();

    private void start(LiveEventsConfig config) throws Exception {
        Path file = dir.resolve("public.jwk");
        Files.writeString(file, key.toPublicJWK().toJSONString());
        ApiSecurity security = ApiSecurity.fromEnv(Map.of("BANK_JWT_PUBLIC_KEY_FILE", file.toString(),
                "BANK_SERVICE_TOKEN", "test-service-token-0123456789"));
        Access access = new Access(security, registry);
        processor.start();
        processors = new ProcessorClient(List.of("http://127.0.0.1:" + processor.port()),
                "test-service-token-0123456789");
        live = new LiveEvents(config, feed, registry, Clock.systemUTC());
        EventRoutes routes = new EventRoutes(live, processors, access);
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            HttpListener.install(c, () -> new InetSocketAddress("127.0.0.1", 0));
            PathIds.install(c, NotFound::at);
            access.install(c, security);
            access.rule(HandlerType.GET, BankApi.EVENTS, Access.Rule.READ);
            c.routes.addHttpHandler(HandlerType.GET, BankApi.EVENTS, routes::stream);
            c.routes.exception(InvalidRequestException.class, (e, ctx) -> HttpErrors.write(ctx,
                    Problem.of(400, "Invalid request", "the request has invalid fields").withErrors(e.errors())));
        }).start();
        port = app.port();
    }

    private void start() throws Exception {
        start(LiveEventsConfig.defaults());
    }

    @AfterEach
    void stop() {
        clients.forEach(SseTestClient::close);
        if (live != null) live.close();
        if (app != null) app.stop();
        if (processors != null) processors.close();
        processor.stop();
    }

    private SseTestClient open(String path, String token, Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        if (token != null) all.put("Authorization", "Bearer " + token);
        SseTestClient client = SseTestClient.open("http://127.0.0.1:" + port + path, all);
        clients.add(client);
        return client;
    }

    private String alice() {
        return tokens.good("alice", "bank:read");
    }

    private static AccountEvent event(String account, String owner, long sequence) {
        return new AccountEvent(account, sequence, AccountEventType.POSTING_CREATED, 1_700_000_000_000L + sequence,
                "EUR", 100 * sequence, 100 * sequence, 0, owner, null, null, null);
    }

    /** The processor commits the next {@code count} events of alice's account, and the feed publishes them. */
    private List<AccountEvent> commitAndPublish(int count) {
        List<AccountEvent> made = processor.commit("alice", count);
        made.forEach(feed::publish);
        return made;
    }

    private static List<Long> sequences(List<SseTestClient.Event> events) {
        return events.stream().map(SseTestClient.Event::sequence).toList();
    }

    private double ended(String reason) {
        var counter = registry.find("bank.gateway.events.ended").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void resumesAfterLastEventIdFromTheProcessorThenFollowsTheFeedWithTheStreamsHeaders() throws Exception {
        start();
        processor.open("alice", "alice");
        processor.commit("alice", 5);
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", "2"));
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
        assertThat(stream.header("Cache-Control")).contains("no-cache");
        assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
        List<SseTestClient.Event> backlog = stream.take(3, Duration.ofSeconds(5));
        assertThat(sequences(backlog)).containsExactly(3L, 4L, 5L);
        SseTestClient.Event third = backlog.get(0);
        assertThat(third.type()).isEqualTo("posting.created");
        assertThat(third.json().get("eventId").asText()).isEqualTo("alice:3");
        assertThat(third.json().get("balance").decimalValue()).isEqualByComparingTo("3.00");
        assertThat(stream.retry()).isBetween(3_000L, 6_000L);

        commitAndPublish(2);
        assertThat(sequences(stream.take(2, Duration.ofSeconds(5)))).containsExactly(6L, 7L);
        assertThat(stream.lastEventId()).isEqualTo("7");
        assertThat(stream.next(Duration.ofMillis(200))).isNull();
        assertThat(registry.find("bank.gateway.events.delivered").counter().count()).isEqualTo(5);
    }

    @Test
    void withoutLastEventIdTheStreamStartsAtTheNewestEventAndSaysSoInItsId() throws Exception {
        start();
        processor.open("alice", "alice");
        processor.commit("alice", 5);
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of());
        assertThat(stream.status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(stream::openingBlockSeen);
        assertThat(stream.lastEventId()).as("an EventSource reconnecting now resumes after 5").isEqualTo("5");
        commitAndPublish(1);
        assertThat(sequences(stream.take(1, Duration.ofSeconds(5)))).containsExactly(6L);
        // ?after=0 replays everything kept
        SseTestClient replay = open("/accounts/alice/events?after=0", alice(), Map.of());
        assertThat(sequences(replay.take(6, Duration.ofSeconds(5)))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        // and the header wins over the query, as an EventSource reconnecting sends both
        SseTestClient both = open("/accounts/alice/events?after=0", alice(), Map.of("Last-Event-ID", "4"));
        assertThat(sequences(both.take(2, Duration.ofSeconds(5)))).containsExactly(5L, 6L);
    }

    @Test
    void eventsNoLongerKeptAreOneResetEventThenTheStreamGoesOnFromTheOldestKept() throws Exception {
        start();
        processor.open("alice", "alice");
        processor.keep = 3;
        processor.commit("alice", 10);
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", "2"));
        List<SseTestClient.Event> got = stream.take(4, Duration.ofSeconds(5));
        SseTestClient.Event reset = got.get(0);
        assertThat(reset.type()).isEqualTo(Sse.RESET);
        assertThat(reset.id()).isEqualTo("7");
        JsonNode body = reset.json();
        assertThat(body.get("lostFrom").asLong()).isEqualTo(3);
        assertThat(body.get("lostTo").asLong()).isEqualTo(7);
        assertThat(body.get("firstKept").asLong()).isEqualTo(8);
        assertThat(body.get("balanceUrl").asText()).isEqualTo("/balance/alice");
        assertThat(body.get("transactionsUrl").asText()).isEqualTo("/accounts/alice/transactions");
        assertThat(sequences(got.subList(1, 4))).containsExactly(8L, 9L, 10L);
        assertThat(registry.find("bank.gateway.events.resets").counter().count()).isEqualTo(1);
    }

    @Test
    void aGapInTheLiveFeedIsFilledFromTheProcessorInOrder() throws Exception {
        start();
        processor.open("alice", "alice");
        processor.commit("alice", 2);
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", "2"));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(stream::openingBlockSeen);
        List<AccountEvent> made = processor.commit("alice", 3); // 3, 4, 5; the feed only ever shows 5, twice
        feed.publish(made.get(2));
        feed.publish(made.get(2));
        assertThat(sequences(stream.take(3, Duration.ofSeconds(5)))).containsExactly(3L, 4L, 5L);
        feed.publish(made.get(0)); // late and old: dropped
        commitAndPublish(1);
        assertThat(sequences(stream.take(1, Duration.ofSeconds(5)))).containsExactly(6L);
        assertThat(stream.next(Duration.ofMillis(200))).isNull();
    }

    @Test
    void anotherCustomersOrAnUnknownAccountIs404AsEveryReadAnswersAndAnAdminGetsIn() throws Exception {
        start();
        processor.open("bob", "bob");
        processor.commit("bob", 1);
        for (String path : List.of("/accounts/bob/events", "/accounts/nobody/events", "/accounts/a%20b/events")) {
            SseTestClient refused = open(path, alice(), Map.of());
            assertThat(refused.status()).as(path).isEqualTo(404);
            assertThat(refused.header("Content-Type")).startsWith(Problem.CONTENT_TYPE);
            assertThat(refused.problem().get("title").asText()).isEqualTo("Account not found");
        }
        SseTestClient admin = open("/accounts/bob/events?after=0", tokens.good("root", "bank:read bank:admin"),
                Map.of());
        assertThat(sequences(admin.take(1, Duration.ofSeconds(5)))).containsExactly(1L);
        SseTestClient anonymous = open("/accounts/bob/events", null, Map.of());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(open("/accounts/bob/events", tokens.good("alice", "bank:write"), Map.of()).status())
                .isEqualTo(403);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.open() == 1);
    }

    @Test
    void aHostileStartIs400NamingTheFieldNever500() throws Exception {
        start();
        processor.open("alice", "alice");
        processor.commit("alice", 3);
        for (String bad : List.of("abc", "-1", "+5", "0x10", "1 2", "1.0", "99999999999999999999",
                "9223372036854775808", String.valueOf(Long.MAX_VALUE), "1".repeat(300), "\u00e9")) {
            SseTestClient header = open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", bad));
            assertThat(header.status()).as(bad).isEqualTo(400);
            assertThat(header.header("Content-Type")).startsWith(Problem.CONTENT_TYPE);
            assertThat(header.problem().get("errors").has("Last-Event-ID")).as(bad).isTrue();
            String encoded = java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8);
            SseTestClient query = open("/accounts/alice/events?after=" + encoded, alice(), Map.of());
            assertThat(query.status()).as(bad).isEqualTo(400);
            assertThat(query.problem().get("errors").has("after")).as(bad).isTrue();
        }
        assertThat(open("/accounts/alice/events?after=", alice(), Map.of()).status()).isEqualTo(400);
        // a sequence the bank never issued for this account
        SseTestClient beyond = open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", "4"));
        assertThat(beyond.status()).isEqualTo(400);
        assertThat(beyond.problem().get("errors").get("Last-Event-ID").asText()).contains("newest event (3)");
        SseTestClient huge = open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", "9".repeat(18)));
        assertThat(huge.status()).isEqualTo(400);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.open() == 0);
        // an empty header is no header: the stream starts with new events
        assertThat(open("/accounts/alice/events", alice(), Map.of("Last-Event-ID", " ")).status()).isEqualTo(200);
    }

    @Test
    void theLimitsPerPrincipalAndPerGatewayAre429And503WithRetryAfter() throws Exception {
        // heartbeats tell the gateway soon that a client went away
        start(LiveEventsConfig.defaults().withLimits(3, 2).withHeartbeat(Duration.ofMillis(200)));
        processor.open("alice", "alice");
        processor.open("bob", "bob");
        assertThat(open("/accounts/alice/events", alice(), Map.of()).status()).isEqualTo(200);
        assertThat(open("/accounts/alice/events", alice(), Map.of()).status()).isEqualTo(200);
        SseTestClient third = open("/accounts/alice/events", alice(), Map.of());
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.header("Retry-After")).isNotNull();
        assertThat(third.header("Content-Type")).startsWith(Problem.CONTENT_TYPE);
        String bob = tokens.good("bob", "bank:read");
        assertThat(open("/accounts/bob/events", bob, Map.of()).status()).isEqualTo(200);
        SseTestClient full = open("/accounts/bob/events", bob, Map.of());
        assertThat(full.status()).isEqualTo(503);
        assertThat(full.header("Retry-After")).isNotNull();
        // a refused stream (404) gives its place back, and so does one that ends
        clients.get(0).close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            SseTestClient again = open("/accounts/alice/events", alice(), Map.of());
            again.close();
            return again.status() == 200;
        });
    }

    @Test
    void anIdleStreamSendsHeartbeats() throws Exception {
        start(LiveEventsConfig.defaults().withHeartbeat(Duration.ofMillis(200)));
        processor.open("alice", "alice");
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> stream.comments().size() >= 3);
        assertThat(stream.comments()).allMatch("heartbeat"::equals);
    }

    @Test
    void theStreamEndsCleanlyWhenItsTokenExpires() throws Exception {
        start(LiveEventsConfig.defaults().withHeartbeat(Duration.ofMillis(200)));
        processor.open("alice", "alice");
        String shortLived = tokens.sign(Tokens.claims("alice", "bank:read")
                .expirationTime(Date.from(Instant.now().plusSeconds(2))).build());
        SseTestClient stream = open("/accounts/alice/events", shortLived, Map.of());
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.awaitEnd(Duration.ofSeconds(10))).isEqualTo(SseTestClient.End.CLEAN);
        assertThat(stream.comments()).anyMatch(c -> c.contains("token has expired"));
        assertThat(ended("token-expired")).isEqualTo(1);
    }

    @Test
    void shutdownEndsEveryStreamCleanlyAndRefusesNewOnes() throws Exception {
        start();
        processor.open("alice", "alice");
        SseTestClient first = open("/accounts/alice/events", alice(), Map.of());
        SseTestClient second = open("/accounts/alice/events?after=0", alice(), Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> first.openingBlockSeen() && second.openingBlockSeen());
        live.close();
        assertThat(first.awaitEnd(Duration.ofSeconds(5))).isEqualTo(SseTestClient.End.CLEAN);
        assertThat(second.awaitEnd(Duration.ofSeconds(5))).isEqualTo(SseTestClient.End.CLEAN);
        assertThat(first.comments()).anyMatch(c -> c.contains("shutting down"));
        SseTestClient late = open("/accounts/alice/events", alice(), Map.of());
        assertThat(late.status()).isEqualTo(503);
        assertThat(ended("shutdown")).isEqualTo(2);
    }

    @RepeatedTest(5) // a race: the connection used to be dropped under Javalin finishing the exchange
    void aClientThatStopsReadingIsCutOffWhileTheOthersGetEverything() throws Exception {
        start(LiveEventsConfig.defaults().withQueueBytes(8192));
        processor.open("alice", "alice");
        SseTestClient reader = open("/accounts/alice/events", alice(), Map.of());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(reader::openingBlockSeen);
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            stalled.getOutputStream().write(("GET /accounts/alice/events HTTP/1.1\r\nHost: bank\r\nAuthorization: "
                    + "Bearer " + alice() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            stalled.getOutputStream().flush();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.open() == 2);
            // the stalled client never reads: its socket buffers fill, then its queue, and it is cut off
            int published = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ended("overflow") == 0 && System.nanoTime() < deadline) {
                commitAndPublish(50);
                published += 50;
                assertThat(sequences(reader.take(50, Duration.ofSeconds(10))))
                        .as("the reading client keeps up").hasSize(50);
            }
            assertThat(ended("overflow")).as("cut off after " + published + " events").isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.open() == 1);
            InputStream in = stalled.getInputStream();
            stalled.setSoTimeout(10_000);
            byte[] buffer = new byte[65536];
            long read = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) read += n; // what was buffered, then the end
            } catch (java.net.SocketException reset) {
                // or a reset: either way the connection is over
            }
            assertThat(read).isPositive();
        }
        commitAndPublish(1);
        assertThat(reader.take(1, Duration.ofSeconds(5))).hasSize(1);
    }

    @Test
    void aHeadRequestNeverLeavesAStreamOpen() throws Exception {
        start();
        processor.open("alice", "alice");
        var head = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/accounts/alice/events"))
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Bearer " + alice()).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        // the gateway's access layer answers HEAD as it answers it on every route; whatever it says, no stream
        assertThat(head.statusCode()).isNotEqualTo(500);
        assertThat(head.body()).isEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.open() == 0);
    }

    @Test
    void aProcessorThatCannotBeAskedIs503WithRetryAfter() throws Exception {
        start();
        processor.stop();
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of());
        assertThat(stream.status()).isEqualTo(503);
        assertThat(stream.header("Retry-After")).isNotNull();
        assertThat(stream.problem().get("detail").asText()).doesNotContain("127.0.0.1");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> live.open() == 0);
    }

    @Test
    void aFeedNotYetReadingIs503() throws Exception {
        start();
        processor.open("alice", "alice");
        feed.problem = "not yet reading bank.account-events";
        SseTestClient stream = open("/accounts/alice/events", alice(), Map.of());
        assertThat(stream.status()).isEqualTo(503);
        assertThat(stream.header("Retry-After")).isNotNull();
    }

    // ---- stand-ins ----

    /** A live feed the test publishes to, on the test's thread (as the hub's thread would). */
    static final class TestFeed implements LiveFeed {
        final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
        volatile String problem;

        @Override
        public Subscription subscribe(String accountId, Subscriber subscriber) {
            subscribers.computeIfAbsent(accountId, a -> new CopyOnWriteArrayList<>()).add(subscriber);
            return () -> subscribers.get(accountId).remove(subscriber);
        }

        @Override
        public String problem() {
            return problem;
        }

        void publish(AccountEvent event) {
            byte[] frame = Sse.event(event);
            subscribers.getOrDefault(event.accountId(), List.of()).forEach(s -> s.event(event, frame));
        }
    }

    /** A processor's query API for accounts and their most recent {@code keep} events, with viewers' ownership. */
    static final class FakeProcessor {
        final Map<String, String> owners = new ConcurrentHashMap<>();
        final Map<String, List<AccountEvent>> events = new ConcurrentHashMap<>();
        volatile int keep = 1000;
        private Javalin server;

        void open(String account, String owner) {
            owners.put(account, owner);
            events.put(account, new CopyOnWriteArrayList<>());
        }

        synchronized List<AccountEvent> commit(String account, int count) {
            List<AccountEvent> list = events.get(account);
            List<AccountEvent> made = LongStream.rangeClosed(list.size() + 1, list.size() + count)
                    .mapToObj(s -> event(account, owners.get(account), s)).toList();
            list.addAll(made);
            return made;
        }

        void start() {
            server = Javalin.create(c -> {
                c.startup.showJavalinBanner = false;
                c.routes.get(InternalApi.Paths.ACCOUNT, ctx -> {
                    String account = ctx.pathParam("accountId");
                    if (!visible(account, InternalApi.Viewer.of(ctx))) {
                        ctx.status(404);
                        return;
                    }
                    ctx.contentType("application/json").result(Json.bytes(Map.of("accountId", account,
                            "currency", "EUR", "owner", owners.get(account))));
                });
                c.routes.get(InternalApi.Paths.EVENTS, ctx -> {
                    String account = ctx.pathParam("accountId");
                    if (!visible(account, InternalApi.Viewer.of(ctx))) {
                        ctx.status(404);
                        return;
                    }
                    long after = Long.parseLong(ctx.queryParam("after"));
                    int limit = Integer.parseInt(ctx.queryParam("limit"));
                    List<AccountEvent> all = events.get(account);
                    long latest = all.size();
                    long firstKept = Math.max(1, latest - keep + 1);
                    List<AccountEvent> page = all.stream().filter(e -> e.sequence() > after
                            && e.sequence() >= firstKept).limit(limit).toList();
                    ctx.contentType("application/json").result(Json.bytes(
                            new AccountEventPage(account, page, firstKept, latest)));
                });
            }).start("127.0.0.1", 0);
        }

        private boolean visible(String account, InternalApi.Viewer viewer) {
            return owners.containsKey(account) && viewer.maySee(owners.get(account));
        }

        int port() {
            return server.port();
        }

        void stop() {
            if (server != null) server.stop();
        }
    }
}
