package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bank.gateway.auth.Scope;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Json;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Topics;
import dev.bank.schemas.WebhookDeadLetter;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks end to end on a real broker: REST commands through the gateway, applied by the processor, whose account
 * events the notifier (a JVM of its own) delivers to a real HTTP receiver on loopback that fails (500), times out and
 * answers slowly at random. Every event of every subscribed account arrives, first arrivals in order per account,
 * duplicates only under the same {@code webhook-id} with the same body, every signature verified by the Standard
 * Webhooks reference library; another customer's events never reach a subscription. The notifier is killed with
 * SIGKILL mid-delivery while commands go on, restarted, and nothing is lost. An endpoint that always fails ends in the
 * dead-letter topic; healed, a replay delivers it. A {@code statement.ready} event reaches a subscription filtered on
 * that type, and nothing else does.
 */
class WebhooksIT {
    private static final long SEED = Long.getLong("bank.test.seed", 20261128L);
    private static final String ALICE = "wh-alice";
    private static final String BOB = "wh-bob";

    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static Receiver receiver;

    /** A webhook receiver: per path a behaviour and the subscription's secret; records what it took (answered 2xx). */
    static final class Receiver implements AutoCloseable {
        record Hit(String path, String id, String body, long at) {}

        final HttpServer server;
        final Map<String, String> secrets = new ConcurrentHashMap<>();
        final List<Hit> taken = new CopyOnWriteArrayList<>();
        final List<String> badSignatures = new CopyOnWriteArrayList<>();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger timedOut = new AtomicInteger();
        final AtomicInteger slow = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final AtomicBoolean deadHealed = new AtomicBoolean();
        final Random random = new Random(SEED);

        Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
            server.setExecutor(Executors.newFixedThreadPool(48));
            server.createContext("/", this::handle);
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        private void handle(HttpExchange exchange) throws IOException {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            try {
                new Webhook(secrets.get(path)).verify(body, exchange.getRequestHeaders());
            } catch (Exception e) {
                badSignatures.add(path + " " + id + ": " + e.getMessage());
            }
            int status = 200;
            if (path.equals("/flaky")) {
                int draw;
                synchronized (random) {
                    draw = random.nextInt(100);
                }
                if (draw < 15) status = 500;
                else if (draw < 20) pause(1_200, timedOut); // past the notifier's 0.5 s: it gives up, then retries
                else if (draw < 35) pause(50 + draw * 5, slow);
            } else if (path.equals("/dead") && !deadHealed.get()) {
                status = 500;
            }
            if (status == 200) taken.add(new Hit(path, id, body, System.nanoTime()));
            else failed.incrementAndGet();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        }

        private static void pause(long millis, AtomicInteger counter) {
            counter.incrementAndGet();
            try {
                Thread.sleep(millis); // the receiver being slow is what is tested
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        List<Hit> at(String path) {
            return taken.stream().filter(h -> h.path().equals(path)).toList();
        }

        Set<String> ids(String path) {
            return at(path).stream().map(Hit::id).collect(Collectors.toCollection(TreeSet::new));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        receiver = new Receiver();
        // the in-process notifier is left out: this test runs its own, in a JVM it can kill
        bank = BankSystem.start(stateDir, Map.of("BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1",
                "BANK_NOTIFIER_ENABLED", "false", "BANK_COMMIT_INTERVAL_MS", "20"), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bank != null) bank.close();
        if (receiver != null) receiver.close();
    }

    private static Map<String, String> notifierEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("BANK_BOOTSTRAP_SERVERS", bank.bootstrapServers());
        env.put("BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1");
        env.put("BANK_NOTIFIER_GROUP_ID", "it-webhooks");
        env.put("BANK_NOTIFIER_MAX_ATTEMPTS", "10");
        env.put("BANK_NOTIFIER_BACKOFF_BASE", "PT0.02S");
        env.put("BANK_NOTIFIER_BACKOFF_MAX", "PT0.1S");
        env.put("BANK_NOTIFIER_REQUEST_TIMEOUT", "PT0.5S");
        env.put("BANK_NOTIFIER_SESSION_TIMEOUT", "PT6S");
        env.put("BANK_NOTIFIER_COMMIT_INTERVAL", "PT0.2S");
        return env;
    }

    private static String subscribe(Http as, String path, String extra) {
        var created = as.post("/webhooks", "{\"url\":\"" + receiver.url(path) + "\"" + extra + "}");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        receiver.secrets.put(path, created.text("secret"));
        return created.text("id");
    }

    @Test
    void everyEventArrivesSignedInOrderDespiteAFlakyReceiverAndAKilledNotifier() throws Exception {
        long started = System.nanoTime();
        Instant before = Instant.now().minusSeconds(1);
        Http alice = bank.http().as(BankStack.token(ALICE, Scope.READ, Scope.WRITE));
        Http bob = bank.http().as(BankStack.token(BOB, Scope.READ, Scope.WRITE));
        List<String> accounts = List.of("wh-a1", "wh-a2", "wh-a3", "wh-a4");
        for (String account : accounts) {
            assertThat(alice.post("/accounts", "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"5000\"}", "open-" + account).status()).isEqualTo(201);
        }
        assertThat(bob.post("/accounts", "{\"accountId\":\"wh-b1\",\"currency\":\"EUR\"}", "open-wh-b1").status())
                .isEqualTo(201);

        // Given subscriptions: alice's to everything of hers (a flaky endpoint), alice's to wh-a4's postings (an
        // endpoint that always fails), alice's to her statements only, and bob's to his
        String flaky = subscribe(alice, "/flaky", "");
        String dead = subscribe(alice, "/dead", ",\"accountIds\":[\"wh-a4\"],\"eventTypes\":[\"posting.created\"]");
        String statements = subscribe(alice, "/statements", ",\"eventTypes\":[\"statement.ready\"]");
        subscribe(bob, "/bob", "");
        assertThat(alice.get("/webhooks").body().get("webhooks")).hasSize(3);

        try (NotifierProcess first = new NotifierProcess(notifierEnv(), BankStack.freePort(),
                ProcessorProcess.logDir().resolve("webhooks-notifier-1.log")).start()) {
            // When commands flow (credits, debits, transfers among her accounts and to bob, holds)
            int commands = drive(alice, accounts, SEED, 0, 130);
            long firstBatch = System.nanoTime();
            // a statement event, as the processor writes one at a month's end, for an account of alice's
            produceStatementEvents();
            // and the notifier is killed mid-delivery
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at("/flaky").size() >= 60);
            int takenBeforeKill = receiver.taken.size();
            first.kill();
            // commands go on while the notifier is down and while its successor starts
            var secondBatch = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return drive(alice, accounts, SEED, 130, 260);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (NotifierProcess second = new NotifierProcess(notifierEnv(), BankStack.freePort(),
                    ProcessorProcess.logDir().resolve("webhooks-notifier-2.log")).start()) {
                commands += secondBatch.get();
                long commandsDone = System.nanoTime();

                // Then every event of alice's accounts reaches her subscription, at least once
                Map<String, List<AccountEvent>> events = accountEvents();
                Set<String> alices = new TreeSet<>();
                events.forEach((account, list) -> {
                    if (!account.equals("wh-b1")) list.forEach(e -> alices.add(e.eventId()));
                });
                Set<String> bobs = events.getOrDefault("wh-b1", List.of()).stream().map(AccountEvent::eventId)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertThat(alices).hasSizeGreaterThan(250);
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.ids("/flaky").containsAll(alices)
                        && receiver.ids("/bob").containsAll(bobs));
                assertThat(receiver.ids("/flaky")).as("only alice's events, none of bob's").isEqualTo(alices);
                assertThat(receiver.ids("/bob")).isEqualTo(bobs);

                // in order per account (first arrivals), duplicates with the same id and body only
                assertFirstArrivalsInOrder(receiver.at("/flaky"));
                Map<String, List<String>> bodies = new HashMap<>();
                for (Receiver.Hit hit : receiver.at("/flaky")) bodies.computeIfAbsent(hit.id(), k -> new ArrayList<>())
                        .add(hit.body());
                bodies.forEach((id, copies) -> assertThat(Set.copyOf(copies)).as("copies of %s", id).hasSize(1));
                long duplicates = bodies.values().stream().mapToInt(l -> l.size() - 1).sum();
                // the payload: Standard Webhooks' envelope around the event
                for (Receiver.Hit hit : receiver.at("/flaky")) {
                    JsonNode body = Json.MAPPER.readTree(hit.body());
                    assertThat(body.get("data").get("eventId").asText()).isEqualTo(hit.id());
                    assertThat(body.get("type").asText()).isEqualTo(body.get("data").get("type").asText());
                    assertThat(body.get("timestamp").asText()).isEqualTo(body.get("data").get("timestamp").asText());
                }
                assertThat(receiver.badSignatures).as("signatures the reference library refused").isEmpty();

                // the statement subscription got the statement, and nothing else
                await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.ids("/statements").isEmpty());
                assertThat(receiver.ids("/statements")).containsExactly("wh-stmt:2");
                JsonNode statement = Json.MAPPER.readTree(receiver.at("/statements").get(0).body());
                assertThat(statement.get("type").asText()).isEqualTo("statement.ready");
                assertThat(statement.get("data").get("statement").get("url").asText())
                        .isEqualTo("/accounts/wh-stmt/statements/2026-10");

                // And the always-failing endpoint's events are dead letters after their last attempt
                Set<String> a4Postings = events.get("wh-a4").stream()
                        .filter(e -> e.type() == AccountEventType.POSTING_CREATED).map(AccountEvent::eventId)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertThat(receiver.ids("/dead")).isEmpty();
                List<WebhookDeadLetter> letters = new ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    letters.clear();
                    letters.addAll(deadLetters(dead));
                    return letters.stream().map(l -> l.event().eventId()).collect(Collectors.toSet())
                            .containsAll(a4Postings);
                });
                assertThat(letters).allSatisfy(l -> {
                    assertThat(l.attempts()).isEqualTo(10);
                    assertThat(l.lastStatus()).isEqualTo(500);
                    assertThat(l.event().accountId()).isEqualTo("wh-a4");
                });
                // healed, a replay delivers them
                receiver.deadHealed.set(true);
                var replay = alice.post("/webhooks/" + dead + "/replay", "{\"since\":\"" + before + "\"}");
                assertThat(replay.status()).as(replay.body().toString()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.ids("/dead").containsAll(a4Postings));
                assertThat(receiver.ids("/dead")).isEqualTo(a4Postings);
                assertThat(receiver.badSignatures).isEmpty();

                String metrics = second.metrics();
                assertThat(metrics).contains("bank_notifier_deliveries_total{outcome=\"delivered\"")
                        .contains("bank_notifier_attempts_total").contains("bank_notifier_queued");
                long now = System.nanoTime();
                System.out.printf("WebhooksIT: %d commands, %d events of alice's accounts, %d of bob's; %d requests, "
                                + "%d taken (%d at /flaky, %d duplicates), %d failed with 500, %d timed out, %d slow; "
                                + "%d taken before the kill; %d dead letters replayed; %d s (first batch %d s, "
                                + "all commands %d s)%n", commands, alices.size(), bobs.size(), receiver.requests.get(),
                        receiver.taken.size(), receiver.at("/flaky").size(), duplicates, receiver.failed.get(),
                        receiver.timedOut.get(), receiver.slow.get(), takenBeforeKill, a4Postings.size(),
                        (now - started) / 1_000_000_000L, (firstBatch - started) / 1_000_000_000L,
                        (commandsDone - started) / 1_000_000_000L);
            }
        }
        assertThat(statements).startsWith("wh_");
        assertThat(flaky).startsWith("wh_");
    }

    /**
     * REST commands {@code from} to {@code to} of a seeded mix, from three clients at once (one per source account, so
     * each account's commands keep their order); the number sent.
     */
    private static int drive(Http alice, List<String> accounts, long seed, int from, int to) throws Exception {
        var pool = Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<Integer>> sent = new ArrayList<>();
            for (int client = 0; client < 3; client++) {
                int c = client;
                sent.add(pool.submit(() -> drive(alice, accounts, new Random(seed + c + from), c, from, to)));
            }
            int total = 0;
            for (var f : sent) total += f.get();
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int drive(Http alice, List<String> accounts, Random random, int client, int from, int to) {
        int sent = 0;
        for (int i = from; i < to; i++) {
            if (i % 3 != client) continue;
            String account = accounts.get(client); // wh-a4 gets only a few postings (the dead endpoint's)
            String amount = (1 + random.nextInt(20)) + ".00";
            int kind = random.nextInt(10);
            Http.Response r;
            if (i % 40 == 0) {
                r = alice.post("/transaction", "{\"accountId\":\"wh-a4\",\"type\":\"credit\",\"amount\":\"1.00\"}",
                        "wh-c4-" + i);
            } else if (kind < 3) {
                r = alice.post("/transaction", "{\"accountId\":\"" + account + "\",\"type\":\"credit\",\"amount\":\""
                        + amount + "\"}", "wh-cr-" + i);
            } else if (kind < 5) {
                r = alice.post("/transaction", "{\"accountId\":\"" + account + "\",\"type\":\"debit\",\"amount\":\""
                        + amount + "\"}", "wh-db-" + i);
            } else if (kind < 7) {
                String other = accounts.get((accounts.indexOf(account) + 1) % 3);
                r = alice.post("/transfers", "{\"fromAccountId\":\"" + account + "\",\"toAccountId\":\"" + other
                        + "\",\"amount\":\"" + amount + "\"}", "wh-tr-" + i);
            } else if (kind < 8) {
                r = alice.post("/transfers", "{\"fromAccountId\":\"" + account + "\",\"toAccountId\":\"wh-b1\","
                        + "\"amount\":\"" + amount + "\"}", "wh-tb-" + i);
            } else {
                String hold = "wh-h-" + i;
                r = alice.post("/accounts/" + account + "/holds", "{\"amount\":\"" + amount + "\",\"holdId\":\""
                        + hold + "\"}", null);
                if (r.status() == 201) {
                    r = kind == 8 ? alice.post("/accounts/" + account + "/holds/" + hold + "/capture",
                            "{\"amount\":\"1.00\"}", hold + "-c")
                            : alice.post("/accounts/" + account + "/holds/" + hold + "/void", "{}", hold + "-v");
                }
            }
            assertThat(r.status()).as("command %d: %s", i, r.body()).isIn(200, 201, 202, 422);
            sent++;
        }
        return sent;
    }

    /** A posting and a ready statement of account wh-stmt (alice's), produced as the processor would. */
    private static void produceStatementEvents() throws Exception {
        Topic<AccountEvent> topic = Topics.defaults().accountEventsTopic();
        long now = System.currentTimeMillis();
        LedgerEntry entry = new LedgerEntry("wh-stmt", "wh-stmt-1", EntryType.CREDIT, 100, "EUR", 0, 100, 1, now);
        AccountEvent posting = new AccountEvent("wh-stmt", 1, AccountEventType.POSTING_CREATED, now, "EUR", 100, 100, 0,
                ALICE, entry, null, null);
        AccountEvent ready = new AccountEvent("wh-stmt", 2, AccountEventType.STATEMENT_READY, now, "EUR", 100, 100, 0,
                ALICE, null, null, "2026-10");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bank.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            for (AccountEvent e : List.of(posting, ready)) {
                producer.send(new ProducerRecord<>(topic.name(), e.accountId(), topic.serialize(e))).get();
            }
        }
    }

    /** Every committed event on the account events topic, by account, in order. */
    private static Map<String, List<AccountEvent>> accountEvents() {
        Topic<AccountEvent> topic = Topics.defaults().accountEventsTopic();
        Map<String, List<AccountEvent>> byAccount = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(topic.name())) {
            AccountEvent e = topic.deserialize(r.value());
            if (e.accountId().startsWith("wh-")) byAccount.computeIfAbsent(e.accountId(), k -> new ArrayList<>()).add(e);
        }
        return byAccount;
    }

    private static List<WebhookDeadLetter> deadLetters(String subscriptionId) {
        Topic<WebhookDeadLetter> topic = Topics.defaults().webhookDeadLettersTopic();
        return readAll(topic.name()).stream().map(r -> topic.deserialize(r.value()))
                .filter(l -> l.subscriptionId().equals(subscriptionId)).toList();
    }

    /** A topic from its start to its end as of now, read_committed. */
    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bank.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= ends.get(tp));
            });
        }
        return records;
    }

    /** The first arrival of each event comes after the first arrivals of every earlier event of its account. */
    private static void assertFirstArrivalsInOrder(List<Receiver.Hit> hits) {
        Map<String, Long> firstArrival = new HashMap<>();
        for (Receiver.Hit hit : hits) firstArrival.merge(hit.id(), hit.at(), Math::min);
        Map<String, List<Map.Entry<Long, Long>>> byAccount = new HashMap<>(); // sequence -> first arrival
        firstArrival.forEach((id, at) -> {
            int colon = id.lastIndexOf(':');
            byAccount.computeIfAbsent(id.substring(0, colon), k -> new ArrayList<>())
                    .add(Map.entry(Long.parseLong(id.substring(colon + 1)), at));
        });
        byAccount.forEach((account, arrivals) -> {
            List<Long> bySequence = arrivals.stream().sorted(Map.Entry.comparingByKey()).map(Map.Entry::getValue)
                    .toList();
            for (int i = 1; i < bySequence.size(); i++) {
                assertThat(bySequence.get(i)).as("%s: the first arrival of its event #%d", account, i + 1)
                        .isGreaterThan(bySequence.get(i - 1));
            }
        });
    }
}
