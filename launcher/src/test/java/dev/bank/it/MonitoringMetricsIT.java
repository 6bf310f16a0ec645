package dev.bank.it;

import dev.bank.observability.MonitoringFiles;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The alert rules ({@code observability/prometheus/alerts.yml}) and the Grafana dashboard ({@code
 * observability/grafana/dashboards/bank.json}) watch what the bank really exports: after a bank has served requests,
 * a fraud review and a poison record, every metric name they use is a sample on the gateway's or a processor's
 * {@code /metrics}, and every label they match on is a label of that metric. A renamed meter, a tag dropped or a
 * Kafka metric that moved fails here, instead of an alert that silently never fires.
 */
class MonitoringMetricsIT {
    /** Series Prometheus makes itself; no target exports them. */
    private static final Map<String, String> PROMETHEUS_OWN = Map.of(
            "up", "Prometheus' health of each scrape",
            "ALERTS", "Prometheus' own series of pending and firing alerts");
    /**
     * Metrics the bank exports only in circumstances this test does not make, each with why. Every other metric
     * the files use appears after the traffic below (the first 500, LATE and UNAVAILABLE answers are label values
     * of metrics that are there, not metrics of their own).
     */
    private static final Map<String, String> ONLY_UNDER_CONDITIONS = Map.of(
            "bank_notifier_deliveries_total", "counted from the first webhook delivery; WebhooksIT delivers them",
            "bank_notifier_attempts_total", "counted from the first webhook attempt; WebhooksIT makes them");
    /** Labels Prometheus adds to every scraped series. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^\\n]*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    @TempDir
    Path stateDir;

    @Test
    void everyMetricAndLabelTheAlertsAndTheDashboardUseIsOnTheBanksMetrics() throws Exception {
        MonitoringFiles files = MonitoringFiles.load();
        Map<String, List<String>> uses = files.metricUses();
        Map<String, Set<String>> matchedLabels = files.matchedLabels();
        assertThat(uses).as("metrics the alerts and the dashboard use").hasSizeGreaterThan(30);

        try (BankSystem bank = BankSystem.start(stateDir)) {
            Http http = bank.http();
            Http admin = bank.admin();
            await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/health/ready").status() == 200);

            // Given a customer's ordinary traffic: accounts, a credit, a refused debit, a transfer, an unauthorised call
            assertThat(http.post("/accounts", "{\"accountId\":\"mon-a\",\"currency\":\"EUR\",\"transactionId\":\"mon-open-a\"}")
                    .status()).isEqualTo(201);
            assertThat(http.post("/accounts", "{\"accountId\":\"mon-b\",\"currency\":\"EUR\",\"transactionId\":\"mon-open-b\"}")
                    .status()).isEqualTo(201);
            assertThat(http.post("/transaction",
                    "{\"accountId\":\"mon-a\",\"amount\":1000,\"type\":\"credit\",\"transactionId\":\"mon-tx-1\"}").status())
                    .isEqualTo(200);
            assertThat(http.post("/transaction",
                    "{\"accountId\":\"mon-a\",\"amount\":5000,\"type\":\"debit\",\"transactionId\":\"mon-tx-2\"}").status())
                    .isEqualTo(422);
            assertThat(http.post("/transfers", "{\"fromAccountId\":\"mon-a\",\"toAccountId\":\"mon-b\",\"amount\":\"10.00\","
                    + "\"transactionId\":\"mon-tr-1\"}").status()).isEqualTo(200);
            assertThat(bank.anonymous().get("/balance/mon-a").status()).isEqualTo(401);

            // and a payment the fraud rules hold for review (the account's own daily cap), which an admin approves
            assertThat(admin.put("/accounts/mon-a/fraud-rules", "{\"dailyOutflowCap\":\"50\"}", "mon-rules").status())
                    .isEqualTo(200);
            assertThat(http.post("/transaction",
                    "{\"accountId\":\"mon-a\",\"amount\":100,\"type\":\"debit\",\"transactionId\":\"mon-tx-3\"}").status())
                    .as("held for review").isEqualTo(202);
            assertThat(admin.post("/accounts/mon-a/reviews/mon-tx-3/approve", "{}", "mon-approve").status())
                    .isEqualTo(200);

            // and an upstream producer's record that is not JSON (dead-lettered)
            try (var producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    (Object) bank.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(bank.stack().topics().commands(), "mon-a", "{not json")).get();
            }

            // When Prometheus would scrape both services (Micrometer adds Kafka's metrics as the clients register
            // them, so wait until the names are all there, or show which are not)
            Http gatewayMetrics = new Http("http://127.0.0.1:" + bank.gateway().port());
            Http processorMetrics = new Http(bank.processor().queryUrl());
            Http notifierMetrics = new Http("http://127.0.0.1:" + bank.notifier().port());
            Map<String, Set<String>> exported = new TreeMap<>();
            Set<String> missing = new TreeSet<>();
            try {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                    exported.clear();
                    samples(gatewayMetrics.raw("/metrics"), exported);
                    samples(processorMetrics.raw("/metrics"), exported);
                    samples(notifierMetrics.raw("/metrics"), exported);
                    missing.clear();
                    for (String metric : uses.keySet()) {
                        if (!PROMETHEUS_OWN.containsKey(metric) && !ONLY_UNDER_CONDITIONS.containsKey(metric)
                                && !exported.containsKey(metric)) {
                            missing.add(metric);
                        }
                    }
                    return missing.isEmpty();
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // the assertion below names them
            }

            // Then every metric the files use is exported
            Map<String, List<String>> missingWithUses = new TreeMap<>();
            missing.forEach(m -> missingWithUses.put(m, uses.get(m)));
            assertThat(missingWithUses).as("metrics the alerts or the dashboard use that neither /metrics has").isEmpty();
            assertThat(exported).as("the dead letter, the fraud review and the 401 were counted")
                    .containsKeys("bank_dead_letters_total", "bank_fraud_rule_hits_total",
                            "bank_fraud_reviews_ended_total", "bank_gateway_auth_refused_total");

            // and every label they match on is one of the metric's labels
            Map<String, Set<String>> unknownLabels = new TreeMap<>();
            matchedLabels.forEach((metric, labels) -> {
                if (PROMETHEUS_OWN.containsKey(metric) || !exported.containsKey(metric)) return;
                Set<String> unknown = new TreeSet<>(labels);
                unknown.removeAll(TARGET_LABELS);
                unknown.removeAll(exported.get(metric));
                if (!unknown.isEmpty()) unknownLabels.put(metric, unknown);
            });
            assertThat(unknownLabels).as("labels matched on that the metric does not have").isEmpty();

            // and what the rules read into values holds: Kafka Streams' state gauges are the enums' ordinals
            // (BankStreamsNotRunning: 2 is RUNNING; the dashboard's thread states: 4 is RUNNING)
            String processor = processorMetrics.raw("/metrics");
            assertThat(processor).containsPattern("(?m)^kafka_stream_client_state\\{[^}]*} 2\\.0$")
                    .containsPattern("(?m)^kafka_stream_thread_thread_state\\{[^}]*} 4\\.0$");
        }
    }

    /** Adds each sample's metric name and its label names (Prometheus text format) to {@code into}. */
    static void samples(String exposition, Map<String, Set<String>> into) {
        Matcher m = SAMPLE.matcher(exposition);
        while (m.find()) {
            Set<String> labels = into.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    labels.add(label.group(1));
                }
            }
        }
    }
}
