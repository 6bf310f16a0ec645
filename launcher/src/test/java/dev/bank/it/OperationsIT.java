package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.processor.ProcessorApp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees: both services ready on {@code /health/ready}, and on {@code /metrics} the request
 * rates and latencies by route and status, outcomes by type and reason, dead letters by reason, store sizes,
 * request-to-outcome latency, and the Kafka clients' and Streams' own metrics, after real traffic and a
 * poison record that the pipeline survives.
 */
class OperationsIT {
    @TempDir
    Path stateDir;

    @Test
    void exposesHealthAndTheMetricsOperatorsAlertOn() throws Exception {
        try (BankSystem bank = BankSystem.start(stateDir)) {
            BankStack stack = bank.stack();
            ProcessorApp processor = bank.processor();
            GatewayApp gateway = bank.gateway();
            Http http = bank.http();
            Http query = bank.query();

            // Given both services are up
            assertThat(http.get("/health/live").status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/health/ready").status() == 200);
            assertThat(query.get("/health/ready").text("status")).isEqualTo("UP");

            // When clients work and an upstream system sends a poison record
            http.post("/accounts", "{\"accountId\":\"ops\",\"currency\":\"EUR\"}");
            http.post("/transaction", "{\"accountId\":\"ops\",\"amount\":10,\"type\":\"credit\"}");
            assertThat(http.post("/transaction", "{\"accountId\":\"ops\",\"amount\":99,\"type\":\"debit\"}").status())
                    .isEqualTo(422);
            try (var producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    (Object) bank.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(stack.topics().commands(), "ops", "{not json")).get();
            }
            assertThat(http.post("/transaction", "{\"accountId\":\"ops\",\"amount\":1,\"type\":\"credit\"}").status())
                    .as("the pipeline keeps going after the poison record").isEqualTo(200);

            // Then the gateway's metrics show requests by route and status, and outcome latency
            String gatewayMetrics = scrape("http://127.0.0.1:" + gateway.port() + "/metrics");
            assertThat(gatewayMetrics)
                        .containsPattern("bank_http_requests_seconds_bucket\\{[^}]*route=\"/transaction\"")
                        .containsPattern("bank_gateway_command_latency_seconds_count\\{[^}]*result=\"ACCEPTED\"[^}]*type=\"CREDIT\"")
                        .contains("kafka_producer_record_send_total")
                        .contains("kafka_consumer_fetch_manager_records_consumed_total")
                        .contains("jvm_memory_used_bytes")
                        .contains("service=\"bank-gateway\"");

                // And the processor's show outcomes by reason, dead letters, store sizes and Streams metrics
                String processorMetrics = scrape(processor.queryUrl() + "/metrics");
                assertThat(processorMetrics)
                        .containsPattern("bank_outcomes_total\\{[^}]*reason=\"INSUFFICIENT_FUNDS\"[^}]*status=\"REJECTED\"[^}]*type=\"DEBIT\"[^}]*} 1")
                        .containsPattern("bank_outcomes_total\\{[^}]*status=\"ACCEPTED\"[^}]*type=\"CREDIT\"[^}]*} 2")
                        .containsPattern("bank_dead_letters_total\\{[^}]*reason=\"UNPARSEABLE\"[^}]*} 1")
                        .containsPattern("bank_postings_total\\{[^}]*type=\"CREDIT\"[^}]*} 2")
                        .containsPattern("bank_store_entries\\{[^}]*store=\"accounts\"[^}]*} [1-9]") // RocksDB estimates
                        .contains("kafka_stream_thread_process_total")
                        .contains("service=\"bank-processor\"")
                        // the names docs/operations.md ("Operating it") tells operators to alert on
                        .contains("kafka_consumer_fetch_manager_records_lag_max")
                        .contains("kafka_consumer_coordinator_rebalance_total")
                        .contains("kafka_stream_thread_commit_latency_max");
        }
    }

    private static String scrape(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
