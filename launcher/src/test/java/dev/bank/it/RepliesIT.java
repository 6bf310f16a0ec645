package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.config.ReplySettings;
import dev.bank.processor.ProcessorApp;
import dev.bank.processor.config.FraudConfig;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.WireHeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Answers go to the gateway that waits for them, on a real broker: two gateway instances reading different
 * partitions of the replies topic and one processor answer concurrent requests (credits, and transfers whose answer
 * comes back through two legs) correctly, and neither instance reads a reply of the other's; the processor wrote
 * replies to those two partitions only. A command produced straight to Kafka without the headers is answered on the
 * results topic as before, and one with a reply partition the topic does not have is answered there too, counted,
 * and stops nothing.
 */
class RepliesIT {
    private static final int A_PARTITION = 3;
    private static final int B_PARTITION = 11;
    private static final int REQUESTS_EACH = 60;

    @TempDir
    Path stateDir;

    @Test
    void eachGatewayReadsOnlyTheAnswersToItsOwnRequests() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            // many transfers out of few accounts within seconds: the fraud rules would hold some for review
            try (ProcessorApp processor = stack.startProcessor(stack.processorConfig(stateDir)
                    .withFraud(FraudConfig.fromEnv(Map.of("BANK_FRAUD_ENABLED", "false"))));
                 GatewayApp a = stack.startGateway(stack.gatewayConfig(List.of(processor.queryUrl()))
                         .withReplies(new ReplySettings("gateway-a", A_PARTITION)));
                 GatewayApp b = stack.startGateway(stack.gatewayConfig(List.of(processor.queryUrl()))
                         .withReplies(new ReplySettings("gateway-b", B_PARTITION)))) {
                Http viaA = BankStack.rest(a.port());
                Http viaB = BankStack.rest(b.port());
                for (int i = 0; i < 4; i++) {
                    Http via = i % 2 == 0 ? viaA : viaB;
                    assertThat(via.post("/accounts", "{\"accountId\":\"r-" + i + "\",\"currency\":\"EUR\","
                            + "\"initialDeposit\":\"1000\"}", "open-r-" + i).status()).isEqualTo(201);
                }

                // When both gateways take requests at once: credits and transfers over every pair of accounts
                ExecutorService clients = Executors.newFixedThreadPool(16);
                List<Future<String>> answers = new ArrayList<>();
                try {
                    for (int i = 0; i < REQUESTS_EACH; i++) {
                        for (Http via : List.of(viaA, viaB)) {
                            String name = (via == viaA ? "a-" : "b-") + i;
                            int from = i % 4;
                            int to = (i + 1 + (via == viaA ? 0 : 1)) % 4;
                            answers.add(clients.submit(() -> {
                                Http.Response r = i(name) % 3 == 0
                                        ? via.post("/transfers", "{\"fromAccountId\":\"r-" + from + "\",\"toAccountId\":"
                                        + "\"r-" + to + "\",\"amount\":\"1\",\"transactionId\":\"" + name + "\"}")
                                        : via.post("/transaction", "{\"accountId\":\"r-" + from + "\",\"type\":"
                                        + "\"credit\",\"amount\":\"1\",\"transactionId\":\"" + name + "\"}");
                                assertThat(r.status()).as("%s: %s", name, r.body()).isIn(200, 201);
                                String answered = r.text("transferId") != null ? r.text("transferId")
                                        : r.text("transactionId");
                                assertThat(answered).as("its own answer: %s", r.body()).isEqualTo(name);
                                return name;
                            }));
                        }
                    }
                    for (Future<String> answer : answers) answer.get(120, TimeUnit.SECONDS);
                } finally {
                    clients.shutdownNow();
                }

                // Then each instance read exactly the replies to its own requests (each command answered once,
                // the opening ones included), and none of the other's
                int each = REQUESTS_EACH + 2;
                assertThat(counter(a, "bank_gateway_replies_read_total")).as("replies gateway A read").isEqualTo(each);
                assertThat(counter(b, "bank_gateway_replies_read_total")).as("replies gateway B read").isEqualTo(each);
                assertThat(counter(a, "bank_gateway_replies_unmatched_total")).isZero();
                assertThat(counter(b, "bank_gateway_replies_unmatched_total")).isZero();
                // and the processor wrote replies to their two partitions only (transaction markers included)
                Map<Integer, Long> ends = replyEnds(stack);
                assertThat(ends.get(A_PARTITION)).isGreaterThanOrEqualTo(each);
                assertThat(ends.get(B_PARTITION)).isGreaterThanOrEqualTo(each);
                ends.forEach((p, end) -> {
                    if (p != A_PARTITION && p != B_PARTITION) assertThat(end).as("partition %s", p).isZero();
                });

                // When an upstream system produces a command without the headers, and one naming a partition the
                // replies topic does not have
                try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>(stack.topics().commands(), "r-0",
                            "{\"type\":\"CREDIT\",\"transactionId\":\"up-1\",\"accountId\":\"r-0\",\"amount\":\"1\"}"));
                    ProducerRecord<String, String> hostile = new ProducerRecord<>(stack.topics().commands(), "r-0",
                            "{\"type\":\"CREDIT\",\"transactionId\":\"up-2\",\"accountId\":\"r-0\",\"amount\":\"1\"}");
                    hostile.headers().add(WireHeaders.REQUEST_ID, "forged".getBytes(StandardCharsets.UTF_8));
                    hostile.headers().add(WireHeaders.REPLY_PARTITION, "999".getBytes(StandardCharsets.UTF_8));
                    producer.send(hostile);
                    producer.flush();
                }
                // Then both are answered on the results topic, as before
                List<Outcome> upstream = new ArrayList<>();
                TopicReader.readUntil(kafka.bootstrapServers(), stack.topics().results(), records -> {
                    upstream.clear();
                    records.stream().map(r -> KafkaClients.OUTCOMES.deserialize(r.value()))
                            .filter(o -> o.transactionId().startsWith("up-")).forEach(upstream::add);
                    return upstream.size() >= 2;
                });
                assertThat(upstream).extracting(Outcome::status).containsOnly(OutcomeStatus.ACCEPTED);
                // the bad reply partition is counted, and the gateways go on answering
                Http query = BankStack.query(processor.queryUrl());
                await().atMost(Duration.ofSeconds(30)).until(() -> metric(query.raw("/metrics"),
                        "bank_replies_skipped_total", "reason=\"OUT_OF_RANGE\"") == 1.0);
                assertThat(viaB.post("/transaction", "{\"accountId\":\"r-1\",\"type\":\"credit\",\"amount\":\"1\","
                        + "\"transactionId\":\"after\"}").status()).isEqualTo(200);
                assertThat(counter(a, "bank_gateway_replies_read_total")).as("nothing more for A").isEqualTo(each);
                assertThat(counter(b, "bank_gateway_replies_read_total")).isEqualTo(each + 1);
            }
        }
    }

    /** The number in a request's name: spreads transfers among the credits. */
    private static int i(String name) {
        return Integer.parseInt(name.substring(2));
    }

    private static double counter(GatewayApp gateway, String name) {
        String metrics = new Http("http://127.0.0.1:" + gateway.port()).as(BankStack.adminToken()).raw("/metrics");
        return metric(metrics, name, "");
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; NaN when there is none. */
    private static double metric(String metrics, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(metrics);
        while (m.find()) {
            boolean labelled = m.group(1) == null ? label.isEmpty() : m.group(1).contains(label);
            if (labelled) return Double.parseDouble(m.group(2));
        }
        return Double.NaN;
    }

    private static Map<Integer, Long> replyEnds(BankStack stack) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < stack.topics().replyPartitions(); p++) {
            latest.put(new TopicPartition(stack.topics().replies(), p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new HashMap<>();
        try (Admin admin = KafkaClients.admin(stack.bootstrapServers())) {
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e
                    : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
                ends.put(e.getKey().partition(), e.getValue().offset());
            }
        }
        return ends;
    }
}
