package dev.bank.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpServer;
import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Json;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Topics;
import dev.bank.schemas.WebhookSubscription;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The delivery engine against real HTTP endpoints on loopback (JDK's HttpServer): order per account and endpoint
 * under failures, a stuck endpoint that holds up nobody else, the SSRF check at delivery time, and a subscription
 * deleted while its events wait. Dead letters need Kafka: {@code WebhooksIT}.
 */
class DeliveryEngineTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private final List<HttpServer> servers = new ArrayList<>();
    private final Map<String, WebhookSubscription> subscriptions = new ConcurrentHashMap<>();
    private DeliveryEngine engine;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private record Arrival(String id, String body, Map<String, List<String>> headers) {}

    /** An endpoint that answers each request with what {@code behaviour} says (a status; -1: hang for 2 s). */
    private String endpoint(List<Arrival> arrivals, java.util.function.IntSupplier behaviour) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = behaviour.getAsInt();
            if (status == -1) {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            } else if (status / 100 == 2) {
                arrivals.add(new Arrival(exchange.getRequestHeaders().getFirst("webhook-id"), body,
                        Map.copyOf(exchange.getRequestHeaders())));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    private DeliveryEngine engine(int maxAttempts, Duration timeout, WebhookTargets.Resolver resolver) {
        Deliverer deliverer = new Deliverer(new WebhookTargets(WebhookTargets.AllowList.parse("127.0.0.0/8"), resolver),
                Duration.ofSeconds(1), timeout, Clock.systemUTC());
        engine = new DeliveryEngine(id -> Optional.ofNullable(subscriptions.get(id)), deliverer, null,
                Topics.defaults().webhookDeadLettersTopic(), new Backoff(Duration.ofMillis(5), Duration.ofMillis(40)),
                maxAttempts, 8, Clock.systemUTC(), registry);
        return engine;
    }

    private WebhookSubscription subscribe(String id, String url) {
        WebhookSubscription s = new WebhookSubscription(id, "alice", false, url, null, null, SECRET, null, 0);
        subscriptions.put(id, s);
        return s;
    }

    private static AccountEvent event(String account, long sequence) {
        LedgerEntry entry = new LedgerEntry(account, "tx-" + sequence, EntryType.CREDIT, 100, "EUR", 100 * (sequence - 1),
                100 * sequence, sequence, System.currentTimeMillis());
        return new AccountEvent(account, sequence, AccountEventType.POSTING_CREATED, System.currentTimeMillis(), "EUR",
                100 * sequence, 100 * sequence, 0, "alice", entry, null, null);
    }

    @AfterEach
    void stop() {
        if (engine != null) engine.close();
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void everyEventArrivesOnceDeliveredInOrderPerAccountWhateverFailsInBetween() throws Exception {
        Random random = new Random(7);
        List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        String url = endpoint(arrivals, () -> random.nextInt(10) < 3 ? 500 : random.nextInt(10) == 0 ? 404 : 200);
        subscribe("wh_a", url);
        engine(1_000, Duration.ofSeconds(2), WebhookTargets.DNS);
        AtomicInteger done = new AtomicInteger();
        TopicPartition tp = new TopicPartition("bank.account-events", 0);
        for (int seq = 1; seq <= 40; seq++) {
            for (String account : List.of("acc-1", "acc-2", "acc-3")) {
                engine.submit("wh_a", event(account, seq), tp, done::incrementAndGet);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> done.get() == 120);
        assertThat(engine.queued()).isZero();
        assertThat(arrivals).hasSize(120);
        for (String account : List.of("acc-1", "acc-2", "acc-3")) {
            List<Long> sequences = arrivals.stream().filter(a -> a.id().startsWith(account + ":"))
                    .map(a -> Long.parseLong(a.id().substring(a.id().indexOf(':') + 1))).toList();
            List<Long> sorted = new ArrayList<>(sequences);
            Collections.sort(sorted);
            assertThat(sequences).as(account).isEqualTo(sorted).hasSize(40);
        }
        Webhook reference = new Webhook(SECRET);
        for (Arrival a : arrivals) {
            reference.verify(a.body(), a.headers());
            JsonNode body = Json.MAPPER.readTree(a.body());
            assertThat(body.get("type").asText()).isEqualTo("posting.created");
            assertThat(body.get("data").get("eventId").asText()).isEqualTo(a.id());
        }
    }

    @Test
    void aStuckEndpointHoldsUpOnlyItsOwnQueue() throws Exception {
        List<Arrival> stuck = new CopyOnWriteArrayList<>();
        List<Arrival> healthy = new CopyOnWriteArrayList<>();
        subscribe("wh_stuck", endpoint(stuck, () -> -1));
        subscribe("wh_ok", endpoint(healthy, () -> 200));
        engine(1_000, Duration.ofMillis(300), WebhookTargets.DNS);
        AtomicInteger healthyDone = new AtomicInteger();
        TopicPartition tp = new TopicPartition("bank.account-events", 0);
        for (int seq = 1; seq <= 20; seq++) {
            engine.submit("wh_stuck", event("acc-1", seq), tp, () -> { });
            engine.submit("wh_ok", event("acc-1", seq), tp, healthyDone::incrementAndGet);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> healthyDone.get() == 20);
        assertThat(stuck).isEmpty();
        assertThat(engine.queued()).as("the stuck endpoint's events wait").isEqualTo(20);
    }

    @Test
    void aTargetThatNowResolvesToAForbiddenAddressIsNotCalledAndADeletedSubscriptionIsDropped() throws Exception {
        List<Arrival> arrivals = new CopyOnWriteArrayList<>();
        String url = endpoint(arrivals, () -> 200);
        int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/hook", "$1"));
        // rebinding: the name resolved to something public at creation, and to the metadata service now
        subscribe("wh_rebound", "https://rebound.example:" + port + "/hook");
        engine(1_000, Duration.ofSeconds(1), host -> new InetAddress[] {InetAddress.getByName("169.254.169.254")});
        AtomicInteger done = new AtomicInteger();
        engine.submit("wh_rebound", event("acc-1", 1), null, done::incrementAndGet);
        engine.submit("wh_rebound", event("acc-1", 2), null, done::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> registry.find("bank.notifier.attempts")
                .tag("result", "refused_target").counters().stream().mapToDouble(c -> c.count()).sum() >= 5);
        assertThat(done.get()).isZero();
        assertThat(engine.queued()).isEqualTo(2);
        assertThat(arrivals).isEmpty();
        subscriptions.remove("wh_rebound");
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 2);
        assertThat(engine.queued()).isZero();
    }
}
