package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.config.DirectReadsConfig;
import dev.bank.processor.ProcessorApp;
import dev.bank.schemas.KeyPartitioner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reads to the owner, on a real broker with two processors: the processors publish who holds which partition (only
 * to the service credential); the gateway, configured with the first processor's URL only, sends every read of an
 * account straight to the processor that owns it, so neither processor forwards a read while its table is fresh; when
 * the second processor stops, every read still answers with the right balance (through the configured processor
 * while the table is behind) and then goes straight to the new owner again. And the partition the gateway computes
 * is the one a real producer's record lands on.
 */
class OwnerReadsIT {
    @TempDir
    Path diskA;
    @TempDir
    Path diskB;

    @Test
    void readsGoStraightToTheOwnerAndStillAnswerWhenOwnershipMoves() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            theProducerPutsEveryKeyOnTheSharedPartition(kafka.bootstrapServers());

            // both at once: one rebalance fewer than one after the other
            ProcessorApp a = ProcessorApp.start(stack.processorConfig(diskA));
            ProcessorApp b = null;
            try {
                b = ProcessorApp.start(stack.processorConfig(diskB));
                assertThat(a.awaitRunning(Duration.ofSeconds(90))).isTrue();
                assertThat(b.awaitRunning(Duration.ofSeconds(90))).isTrue();
                int partitions = stack.topics().partitions();
                Http queryA = BankStack.query(a.queryUrl());
                Http queryB = BankStack.query(b.queryUrl());

                // Given the processors' assignment, published under the service credential only
                assertThat(new Http(a.queryUrl()).get("/internal/partitions").status()).isEqualTo(401);
                assertThat(new Http(a.queryUrl()).as("not-the-service-token-at-all").get("/internal/partitions")
                        .status()).isEqualTo(401);
                String bUrl = b.queryUrl();
                JsonNode assignment = awaitAssignment(queryA, partitions, 2);
                assertThat(assignment.get("topic").asText()).isEqualTo(stack.topics().commands());
                assertThat(assignment.get("version").asText()).isNotBlank();
                Map<Integer, String> owners = owners(assignment);
                assertThat(Set.copyOf(owners.values())).containsExactlyInAnyOrder(a.queryUrl(), bUrl);
                assertThat(owners(awaitAssignment(queryB, partitions, 2))).as("both processors tell the same")
                        .isEqualTo(owners);

                // And a gateway that knows only the first processor, with an account on every partition
                var directReads = new DirectReadsConfig(true, Duration.ofMillis(500), Duration.ofSeconds(5));
                try (GatewayApp gateway = stack.startGateway(stack.gatewayConfig(List.of(a.queryUrl()))
                        .withDirectReads(directReads))) {
                    Http http = stack.rest(gateway.port());
                    Http metrics = new Http("http://127.0.0.1:" + gateway.port()).as(BankStack.adminToken());
                    Map<String, Long> balances = openOnePerPartition(http, partitions);
                    await().atMost(Duration.ofSeconds(20)).until(() -> gauge(metrics, "bank_gateway_owners_instances")
                            == 2);

                    // When every account is read (balance, history, holds, a transaction's outcome)
                    double forwardedA = counter(queryA, "bank_query_forwarded_total");
                    double forwardedB = counter(queryB, "bank_query_forwarded_total");
                    double direct = reads(metrics, "direct");
                    double fallback = reads(metrics, "fallback");
                    readAll(http, balances);

                    // Then the owners answered them straight away: no processor passed one on, none fell back
                    assertThat(counter(queryA, "bank_query_forwarded_total") - forwardedA).isZero();
                    assertThat(counter(queryB, "bank_query_forwarded_total") - forwardedB).isZero();
                    assertThat(reads(metrics, "direct") - direct).isEqualTo(4.0 * balances.size());
                    assertThat(reads(metrics, "fallback") - fallback).isZero();
                    assertThat(counter(queryA, "bank_query_misdirected_total")
                            + counter(queryB, "bank_query_misdirected_total")).isZero();

                    // And the owner still tells another customer nothing about an account
                    Http stranger = new Http("http://127.0.0.1:" + gateway.port())
                            .as(BankStack.token("it-stranger", Scope.READ));
                    for (String account : balances.keySet()) {
                        assertThat(stranger.get("/balance/" + account).status()).as(account).isEqualTo(404);
                    }

                    // When the second processor stops while reads go on
                    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
                    AtomicBoolean reading = new AtomicBoolean(true);
                    Thread reader = new Thread(() -> {
                        while (reading.get()) {
                            balances.forEach((account, balance) -> {
                                pause(5); // well below the per-principal rate limit
                                Http.Response r = http.get("/balance/" + account);
                                if (r.status() == 200 ? !r.body().get("balance").decimalValue()
                                        .equals(java.math.BigDecimal.valueOf(balance, 2)) : r.status() != 503) {
                                    wrong.add(account + ": " + r.status() + " " + r.body());
                                }
                            });
                        }
                    }, "it-reader");
                    reader.start();
                    String versionBefore = assignment.get("version").asText();
                    b.close();
                    b = null;

                    // Then every read answers, each with its own balance (503 at most while the partitions move)
                    JsonNode after = awaitAssignment(queryA, partitions, 1);
                    assertThat(after.get("version").asText()).isNotEqualTo(versionBefore);
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                            balances.forEach((account, balance) -> assertThat(balance(http, account)).as(account)
                                    .isEqualTo(balance)));
                    reading.set(false);
                    reader.join(30_000);
                    assertThat(wrong).as("reads answered with another balance or status than 200/503").isEmpty();
                    assertThat(reads(metrics, "fallback") - fallback).as("reads that missed the moved owner")
                            .isPositive();

                    // And once the table has caught up, reads go straight to the new owner again
                    await().atMost(Duration.ofSeconds(20)).until(() -> gauge(metrics, "bank_gateway_owners_instances")
                            == 1);
                    Thread.sleep(2 * directReads.refresh().toMillis()); // a refresh after the last miss, not a wait
                    double forwardedAfter = counter(queryA, "bank_query_forwarded_total");
                    double directAfter = reads(metrics, "direct");
                    double fallbackAfter = reads(metrics, "fallback");
                    readAll(http, balances);
                    assertThat(reads(metrics, "direct") - directAfter).isEqualTo(4.0 * balances.size());
                    assertThat(reads(metrics, "fallback") - fallbackAfter).isZero();
                    assertThat(counter(queryA, "bank_query_forwarded_total") - forwardedAfter).isZero();
                }
            } finally {
                if (b != null) b.close();
                a.close();
            }
        }
    }

    /** A real producer's records with random keys (unicode, long) land on the partition the gateway computes. */
    private static void theProducerPutsEveryKeyOnTheSharedPartition(String bootstrap) throws Exception {
        String topic = "it-partitioner";
        int partitions = 7;
        KafkaClients.createTopic(bootstrap, topic, partitions, (short) 1);
        Random random = new Random(18);
        List<String> keys = new ArrayList<>(List.of("alice", "", "ünïcødé-€", "😀中文", "a".repeat(5_000)));
        for (int i = 0; i < 300; i++) {
            StringBuilder key = new StringBuilder();
            int length = random.nextInt(10) == 0 ? 1_000 + random.nextInt(4_000) : random.nextInt(40);
            for (int j = 0; j < length; j++) key.appendCodePoint(random.nextInt(3) == 0
                    ? 0x80 + random.nextInt(0x10FFFF - 0x80) : 0x20 + random.nextInt(0x5F));
            keys.add(key.toString());
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap, ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
            for (String key : keys) sent.add(producer.send(new ProducerRecord<>(topic, key, "v")));
            for (int i = 0; i < keys.size(); i++) {
                String key = keys.get(i);
                assertThat(KeyPartitioner.partitionOf(key, partitions)).as("key %s", key.length() > 40
                        ? key.substring(0, 40) + "…" : key).isEqualTo(sent.get(i).get().partition());
            }
        }
    }

    /** One account on each partition, each credited a different amount; their balances in minor units. */
    private static Map<String, Long> openOnePerPartition(Http http, int partitions) {
        Map<String, Long> balances = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            String account = null;
            for (int i = 0; account == null; i++) {
                if (KeyPartitioner.partitionOf("own-" + p + "-" + i, partitions) == p) account = "own-" + p + "-" + i;
            }
            assertThat(http.post("/accounts", "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\","
                    + "\"transactionId\":\"open-" + account + "\"}").status()).isEqualTo(201);
            long amount = 100 + p;
            assertThat(http.post("/transaction", "{\"accountId\":\"" + account + "\",\"amount\":" + amount
                    + ",\"type\":\"credit\",\"transactionId\":\"tx-" + account + "\"}").status()).isEqualTo(200);
            balances.put(account, amount * 100);
        }
        return balances;
    }

    /** Four reads of each account, each answered with that account's data. */
    private static void readAll(Http http, Map<String, Long> balances) {
        balances.forEach((account, balance) -> {
            assertThat(balance(http, account)).as(account).isEqualTo(balance);
            Http.Response history = http.get("/accounts/" + account + "/transactions");
            assertThat(history.status()).as(account).isEqualTo(200);
            assertThat(history.text("accountId")).isEqualTo(account);
            Http.Response holds = http.get("/accounts/" + account + "/holds");
            assertThat(holds.status()).as(account).isEqualTo(200);
            assertThat(holds.text("accountId")).isEqualTo(account);
            Http.Response outcome = http.get("/accounts/" + account + "/transactions/tx-" + account);
            assertThat(outcome.status()).as(account).isEqualTo(200);
            assertThat(outcome.text("accountId")).isEqualTo(account);
        });
    }

    private static long balance(Http http, String account) {
        Http.Response r = http.get("/balance/" + account);
        assertThat(r.status()).as(account + " " + r.body()).isEqualTo(200);
        assertThat(r.text("accountId")).isEqualTo(account);
        return r.body().get("balance").decimalValue().movePointRight(2).longValueExact();
    }

    /** The assignment once {@code instances} instances hold active partitions and every partition has an owner. */
    private static JsonNode awaitAssignment(Http query, int partitions, int instances) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Http.Response r = query.get("/internal/partitions");
            if (r.status() != 200) return false;
            assertThat(r.body().get("partitions").asInt()).isEqualTo(partitions);
            Map<Integer, String> owners = owners(r.body());
            found[0] = r.body();
            return owners.size() == partitions && Set.copyOf(owners.values()).size() == instances;
        });
        return found[0];
    }

    private static Map<Integer, String> owners(JsonNode assignment) {
        Map<Integer, String> owners = new java.util.TreeMap<>();
        for (JsonNode instance : assignment.get("instances")) {
            Set<Integer> active = new TreeSet<>();
            instance.get("active").forEach(p -> active.add(p.asInt()));
            active.forEach(p -> owners.put(p, instance.get("url").asText()));
        }
        return owners;
    }

    private static double reads(Http metrics, String route) {
        return sum(metrics.raw("/metrics"), "bank_gateway_reads_total", "route=\"" + route + "\"");
    }

    private static double counter(Http query, String name) {
        return sum(query.raw("/metrics"), name, "");
    }

    private static double gauge(Http metrics, String name) {
        return sum(metrics.raw("/metrics"), name, "");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The sum of a metric's samples whose labels contain {@code label}. */
    private static double sum(String text, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([-+0-9.eENa]+)$").matcher(text);
        double total = 0;
        while (m.find()) {
            if (m.group(1) == null ? label.isEmpty() : m.group(1).contains(label)) {
                total += Double.parseDouble(m.group(2));
            }
        }
        return total;
    }
}
