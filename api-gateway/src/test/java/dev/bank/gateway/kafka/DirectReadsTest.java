package dev.bank.gateway.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bank.gateway.config.DirectReadsConfig;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.observability.QueryClient;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Json;
import dev.bank.schemas.PartitionOwners;
import dev.bank.schemas.PartitionOwners.Instance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reads to the owner against real HTTP servers standing in for processors: a read goes to the owner the metadata
 * names, marked not to be passed on, with the credential and the viewer; a miss (421, no answer, 503) is asked of
 * the configured processors as before and makes the table forget and refresh; a stale or unusable table is not used.
 */
class DirectReadsTest {
    private static final String TOKEN = "test-service-token-0123456789";
    private static final int PARTITIONS = 4;
    /** Generous: the conditions come within milliseconds, but on a busy 2-core machine a first request may not. */
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final DirectReadsConfig FAST = new DirectReadsConfig(true, Duration.ofMillis(300),
            Duration.ofSeconds(10));

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) c.close();
        servers.forEach(s -> s.stop(0));
        executors.forEach(ExecutorService::shutdownNow);
    }

    /** A stand-in processor: answers the metadata with {@code owners} and account reads as {@code accounts} says. */
    private final class Processor {
        final Queue<String> asked = new ConcurrentLinkedQueue<>();
        final AtomicInteger metadataAsked = new AtomicInteger();
        final AtomicReference<PartitionOwners> owners = new AtomicReference<>();
        final AtomicInteger accountStatus = new AtomicInteger(200);
        final String name;
        final String url;

        Processor(String name) {
            this.name = name;
            this.url = server(this::handle);
        }

        private byte[] handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                return answer(exchange, 401, "{}".getBytes(StandardCharsets.UTF_8));
            }
            if (path.equals("/internal/partitions")) {
                metadataAsked.incrementAndGet();
                PartitionOwners current = owners.get();
                return current == null ? answer(exchange, 503, "{}".getBytes(StandardCharsets.UTF_8))
                        : answer(exchange, 200, Json.bytes(current));
            }
            asked.add(path + (query == null ? "" : "?" + query) + " "
                    + exchange.getRequestHeaders().getFirst("Bank-Principal"));
            int status = accountStatus.get();
            if (status != 200) return answer(exchange, status, "{}".getBytes(StandardCharsets.UTF_8));
            String id = path.substring(path.lastIndexOf('/') + 1);
            // the balance says who answered, so a test sees which instance it reached
            return answer(exchange, 200, Json.bytes(new Account(id, "EUR", AccountStatus.OPEN, name.hashCode(), 1, 1L)));
        }
    }

    @Test
    void aReadGoesStraightToTheOwnerOfItsPartitionMarkedNotToBePassedOn() throws Exception {
        Processor a = new Processor("a");
        Processor b = new Processor("b");
        a.owners.set(assignment(a.url, List.of(0, 2), b.url, List.of(1, 3)));
        ProcessorClient client = client(FAST, a.url); // b is known only from the metadata
        awaitTable(client);

        String onB = OwnerTableTest.accountOn(1, PARTITIONS);
        String onA = OwnerTableTest.accountOn(2, PARTITIONS);
        Viewer alice = new Viewer("alice", false);
        assertThat(client.account(onB, alice).get(20, TimeUnit.SECONDS)).hasValueSatisfying(
                acc -> assertThat(acc.balanceMinor()).isEqualTo("b".hashCode()));
        assertThat(client.account(onA, alice).get(20, TimeUnit.SECONDS)).hasValueSatisfying(
                acc -> assertThat(acc.balanceMinor()).isEqualTo("a".hashCode()));

        assertThat(b.asked).containsExactly("/internal/accounts/" + onB + "?forwarded=true alice");
        assertThat(a.asked).containsExactly("/internal/accounts/" + onA + "?forwarded=true alice");
        assertThat(reads("direct", "owner")).isEqualTo(2);
    }

    @Test
    void anOwnerThatSaysItIsNotIsForgottenAndTheReadAskedAsBefore() throws Exception {
        Processor a = new Processor("a");
        Processor b = new Processor("b");
        a.owners.set(assignment(a.url, List.of(0, 2), b.url, List.of(1, 3)));
        ProcessorClient client = client(FAST, a.url);
        awaitTable(client);
        a.owners.set(null); // no new table for now, so what the miss forgot stays forgotten
        int metadataBefore = a.metadataAsked.get();
        b.accountStatus.set(421); // partition 1 moved to a, b knows it, the table does not yet

        String onB = OwnerTableTest.accountOn(1, PARTITIONS);
        assertThat(client.account(onB, Viewer.SERVICE).get(20, TimeUnit.SECONDS)).hasValueSatisfying(
                acc -> assertThat(acc.balanceMinor()).isEqualTo("a".hashCode()));

        // a was asked as before (it forwards), without the mark
        assertThat(a.asked).containsExactly("/internal/accounts/" + onB + " null");
        assertThat(reads("fallback", "misdirected")).isEqualTo(1);
        assertThat(client.owners().table().route(onB, System.nanoTime(), Long.MAX_VALUE).url())
                .as("partition 1 forgotten until the next refresh").isNull();
        await().atMost(WAIT).until(() -> a.metadataAsked.get() > metadataBefore);
    }

    @Test
    void anOwnerThatDoesNotAnswerIsForgottenWhole() throws Exception {
        Processor a = new Processor("a");
        String gone = unreachable();
        a.owners.set(assignment(a.url, List.of(0, 2), gone, List.of(1, 3)));
        ProcessorClient client = client(FAST, a.url);
        awaitTable(client);
        a.owners.set(null); // and the metadata cannot be had for now: the forgotten owner stays forgotten

        String onGone = OwnerTableTest.accountOn(3, PARTITIONS);
        assertThat(client.account(onGone, Viewer.SERVICE).get(20, TimeUnit.SECONDS)).isPresent();
        assertThat(reads("fallback", "unreachable")).isEqualTo(1);
        assertThat(client.owners().table().owners()).containsExactly(a.url);

        // the next read of that partition does not try it again
        assertThat(client.account(OwnerTableTest.accountOn(1, PARTITIONS), Viewer.SERVICE).get(20, TimeUnit.SECONDS))
                .isPresent();
        assertThat(reads("fallback", "no_owner")).isEqualTo(1);
    }

    @Test
    void anOwnerThatDidNotAnswerStaysOutOfLaterTablesUntilItsTimeIsUpOrTheAssignmentChanges() throws Exception {
        Processor a = new Processor("a");
        String gone = unreachable();
        a.owners.set(assignment(a.url, List.of(0, 2), gone, List.of(1, 3)));
        AtomicLong now = new AtomicLong(0);
        QueryClient queries = new QueryClient("test", Duration.ofSeconds(15), TOKEN);
        closeables.add(queries);
        OwnerDirectory directory = new OwnerDirectory(List.of(a.url), queries,
                new DirectReadsConfig(true, Duration.ofSeconds(2), Duration.ofSeconds(10)), registry, now::get);
        closeables.add(directory);
        assertThat(directory.refresh().get(20, TimeUnit.SECONDS)).isTrue();
        String onGone = OwnerTableTest.accountOn(1, PARTITIONS);
        OwnerTable.Route route = directory.route(onGone);
        assertThat(route.url()).isEqualTo(gone);

        directory.missed(route, OwnerTable.Miss.UNREACHABLE);
        // the group still names it (its session has not timed out): the next tables leave it out all the same
        now.set(Duration.ofSeconds(5).toNanos());
        awaitRefreshed(directory);
        assertThat(directory.route(onGone).miss()).isEqualTo(OwnerTable.Miss.NO_OWNER);
        // for the max age; then it is tried again
        now.set(Duration.ofSeconds(11).toNanos());
        awaitRefreshed(directory);
        assertThat(directory.route(onGone).url()).isEqualTo(gone);

        // and a new assignment lifts it at once
        directory.missed(directory.route(onGone), OwnerTable.Miss.UNREACHABLE);
        a.owners.set(assignment(a.url, List.of(0), gone, List.of(1, 2, 3)));
        awaitRefreshed(directory);
        assertThat(directory.route(onGone).url()).isEqualTo(gone);
    }

    /** A refresh that ran from start to end (one may be under way: the one scheduled by a miss). */
    private static void awaitRefreshed(OwnerDirectory directory) {
        await().atMost(WAIT).until(() -> directory.refresh().get(20, TimeUnit.SECONDS));
    }

    @Test
    void anOwnerNotReadyIsAskedAsBeforeAndStaysInTheTable() throws Exception {
        Processor a = new Processor("a");
        Processor b = new Processor("b");
        a.owners.set(assignment(a.url, List.of(0, 2), b.url, List.of(1, 3)));
        ProcessorClient client = client(FAST, a.url);
        awaitTable(client);
        b.accountStatus.set(503);

        assertThat(client.account(OwnerTableTest.accountOn(1, PARTITIONS), Viewer.SERVICE).get(20, TimeUnit.SECONDS))
                .isPresent();
        assertThat(reads("fallback", "not_ready")).isEqualTo(1);
        assertThat(client.owners().table().owners()).contains(b.url);
    }

    @Test
    void metadataWithAnUnusableUrlIsNotLearned() throws Exception {
        Processor a = new Processor("a");
        a.owners.set(assignment(a.url, List.of(0, 2), "http://user:secret@evil.example:80", List.of(1, 3)));
        ProcessorClient client = client(FAST, a.url);
        await().atMost(WAIT).until(() -> refreshes("failed") >= 1);

        assertThat(client.owners().table().isEmpty()).isTrue();
        assertThat(client.account("anyone", Viewer.SERVICE).get(20, TimeUnit.SECONDS)).isPresent();
        assertThat(reads("fallback", "no_table")).isEqualTo(1);
        assertThat(a.asked).containsExactly("/internal/accounts/anyone null");
    }

    @Test
    void theMetadataIsAskedOfTheConfiguredProcessorsInOrder() throws Exception {
        Processor a = new Processor("a");
        Processor b = new Processor("b");
        b.owners.set(assignment(a.url, List.of(0, 1), b.url, List.of(2, 3)));
        // a does not serve the metadata (503), b does
        ProcessorClient client = client(FAST, a.url, b.url);
        awaitTable(client);
        assertThat(a.metadataAsked.get()).isPositive();
        assertThat(client.owners().table().owners()).containsExactly(a.url, b.url);
    }

    @Test
    void switchedOffEveryReadGoesToTheConfiguredProcessors() throws Exception {
        Processor a = new Processor("a");
        Processor b = new Processor("b");
        a.owners.set(assignment(a.url, List.of(0, 2), b.url, List.of(1, 3)));
        ProcessorClient client = client(DirectReadsConfig.disabled(), a.url);
        assertThat(client.owners()).isNull();
        assertThat(client.account(OwnerTableTest.accountOn(1, PARTITIONS), Viewer.SERVICE).get(20, TimeUnit.SECONDS))
                .isPresent();
        assertThat(b.asked).isEmpty();
        assertThat(a.metadataAsked.get()).isZero();
        assertThat(reads("fallback", "disabled")).isEqualTo(1);
    }

    @Test
    void aTableIsUsedUntilItIsTooOldAndRefreshedWhileItCanBe() throws Exception {
        Processor a = new Processor("a");
        a.owners.set(assignment(a.url, List.of(0, 1, 2, 3), null, List.of()));
        AtomicLong now = new AtomicLong(0);
        QueryClient queries = new QueryClient("test", Duration.ofSeconds(15), TOKEN);
        closeables.add(queries);
        OwnerDirectory directory = new OwnerDirectory(List.of(a.url), queries,
                new DirectReadsConfig(true, Duration.ofSeconds(2), Duration.ofSeconds(10)), registry, now::get);
        closeables.add(directory);

        assertThat(directory.route("alice").miss()).isEqualTo(OwnerTable.Miss.NO_TABLE);
        assertThat(directory.refresh().get(20, TimeUnit.SECONDS)).isTrue();
        assertThat(directory.route("alice").url()).isEqualTo(a.url);

        // the processors stop telling: the table is used for its max age, then not
        a.owners.set(null);
        now.set(Duration.ofSeconds(9).toNanos());
        assertThat(directory.refresh().get(20, TimeUnit.SECONDS)).isFalse();
        assertThat(directory.route("alice").url()).isEqualTo(a.url);
        now.set(Duration.ofSeconds(11).toNanos());
        assertThat(directory.route("alice").miss()).isEqualTo(OwnerTable.Miss.STALE);

        // and once they tell again, it is used again
        a.owners.set(assignment(a.url, List.of(0, 1, 2, 3), null, List.of()));
        assertThat(directory.refresh().get(20, TimeUnit.SECONDS)).isTrue();
        assertThat(directory.route("alice").url()).isEqualTo(a.url);
        assertThat(refreshes("ok")).isEqualTo(2);
        assertThat(refreshes("failed")).isEqualTo(1);
    }

    @Test
    void manyMissesAtOnceMakeFewRefreshes() throws Exception {
        Processor a = new Processor("a");
        a.owners.set(assignment(a.url, List.of(0, 1, 2, 3), null, List.of()));
        QueryClient queries = new QueryClient("test", Duration.ofSeconds(15), TOKEN);
        closeables.add(queries);
        OwnerDirectory directory = new OwnerDirectory(List.of(a.url), queries,
                new DirectReadsConfig(true, Duration.ofMinutes(1), Duration.ofMinutes(2)), registry, System::nanoTime);
        closeables.add(directory);
        for (int i = 0; i < 10_000; i++) directory.refreshSoon();
        await().atMost(WAIT).until(() -> a.metadataAsked.get() >= 1);
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) directory.refreshSoon();
        // hardly a wait for a condition: the point is how few refreshes a burst makes in this time
        Thread.sleep(600);
        double seconds = (System.nanoTime() - start) / 1e9 + 0.5;
        assertThat(a.metadataAsked.get()).isLessThanOrEqualTo(2 + (int) (seconds / 0.25));
    }

    // ---- helpers ----

    private static PartitionOwners assignment(String first, List<Integer> firstActive, String second,
                                              List<Integer> secondActive) {
        List<Instance> instances = new ArrayList<>();
        instances.add(new Instance(first, firstActive, List.of()));
        if (second != null) instances.add(new Instance(second, secondActive, List.of()));
        return new PartitionOwners("bank.commands", PARTITIONS, "v-" + instances.hashCode(), instances);
    }

    private ProcessorClient client(DirectReadsConfig config, String... urls) {
        ProcessorClient client = new ProcessorClient(List.of(urls), TOKEN, Duration.ofSeconds(15), config, registry);
        closeables.add(client);
        return client;
    }

    private static void awaitTable(ProcessorClient client) {
        await().atMost(WAIT).until(() -> !client.owners().table().isEmpty());
    }

    private double reads(String route, String reason) {
        return registry.get("bank.gateway.reads").tags(Map.of("route", route, "reason", reason).entrySet().stream()
                .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new))
                .counter().count();
    }

    private double refreshes(String result) {
        return registry.get("bank.gateway.owners.refreshes").tag("result", result).counter().count();
    }

    private interface Handler {
        byte[] handle(HttpExchange exchange) throws IOException;
    }

    private String server(Handler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ExecutorService executor = Executors.newFixedThreadPool(4);
            executors.add(executor);
            server.setExecutor(executor);
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getResponseBody().write(handler.handle(exchange));
                }
            });
            server.start();
            servers.add(server);
            return "http://127.0.0.1:" + server.getAddress().getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        return body;
    }

    private static String unreachable() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
