package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.processor.ProcessorApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client sees when parts are missing: no processor running (the outcome is late: 202 with a URL that
 * answers once it is processed; balances: 503), and no Kafka at all (503 with Retry-After and the
 * transactionId to retry with). Nothing accepted is lost on the way.
 */
class DegradedGatewayIT {
    @TempDir
    Path stateDir;

    @Test
    void answers202WithAPollingUrlWhenTheOutcomeIsLateAndTheUrlAnswersOnceProcessed() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            var processorConfig = stack.processorConfig(stateDir);
            String processorUrl = "http://127.0.0.1:" + processorConfig.queryPort();
            GatewayConfig config = stack.gatewayConfig(List.of(processorUrl)).withOutcomeTimeout(Duration.ofSeconds(1));
            try (GatewayApp gateway = stack.startGateway(config)) {
                Http http = stack.rest(gateway.port());

                // Given no processor is running, When a client opens an account
                var late = http.post("/accounts", "{\"accountId\":\"late\",\"currency\":\"EUR\",\"transactionId\":\"open-late\"}");

                // Then it is told to poll, with the transactionId and the URL
                assertThat(late.status()).isEqualTo(202);
                assertThat(late.text("status")).isEqualTo("pending");
                assertThat(late.text("transactionId")).isEqualTo("open-late");
                assertThat(late.text("statusUrl")).isEqualTo("/accounts/late/transactions/open-late");
                assertThat(late.raw().headers().firstValue("Location")).hasValue("/accounts/late/transactions/open-late");

                // And reads say "retry", not "no such account"
                var balance = http.get("/balance/late");
                assertThat(balance.status()).isEqualTo(503);
                assertThat(balance.raw().headers().firstValue("Retry-After")).isPresent();
                assertThat(balance.contentType()).startsWith("application/problem+json");

                // When the processor comes up, Then the command that was accepted onto Kafka is applied
                try (ProcessorApp processor = stack.startProcessor(processorConfig)) {
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                            .until(() -> http.get("/accounts/late/transactions/open-late").status() == 200);
                    assertThat(http.get("/accounts/late/transactions/open-late").text("accountId")).isEqualTo("late");
                    assertThat(http.get("/balance/late").text("balance")).isEqualTo("0.00");
                }
            }
        }
    }

    @Test
    void answers503WithRetryAfterWhenKafkaIsUnreachable() {
        // Given a gateway whose Kafka does not exist
        GatewayConfig config = BankStack.secured(GatewayConfig.fromEnv(Map.of("BANK_GATEWAY_BIND_HOST", "127.0.0.1")))
                .withBootstrapServers("127.0.0.1:" + BankStack.freePort())
                .withProcessorUrls(List.of("http://127.0.0.1:" + BankStack.freePort()))
                .withPort(0)
                .withKafkaTimeout(Duration.ofSeconds(1));
        try (GatewayApp gateway = GatewayApp.start(config)) {
            Http http = BankStack.rest(gateway.port());

            // When a client posts a transaction
            var response = http.post("/transaction",
                    "{\"accountId\":\"a\",\"amount\":5,\"type\":\"credit\",\"transactionId\":\"tx-503\"}");

            // Then it is told to retry, with the id to retry under
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.raw().headers().firstValue("Retry-After")).hasValue("1");
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.text("transactionId")).isEqualTo("tx-503");
            assertThat(http.get("/balance/a").status()).isEqualTo(503);

            // And an operator sees it alive but not ready, and why
            assertThat(http.get("/health/live").status()).isEqualTo(200);
            var ready = http.get("/health/ready");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body().get("checks").has("results-listener")).isTrue();
        }
    }

    @Test
    void answers503WhenKafkaGoesAwayAfterStartUp() throws Exception {
        TestKafkaCluster kafka = TestKafkaCluster.start(1);
        BankStack stack = new BankStack(kafka.bootstrapServers());
        GatewayConfig config = stack.gatewayConfig(List.of("http://127.0.0.1:" + BankStack.freePort()))
                .withKafkaTimeout(Duration.ofSeconds(2)).withOutcomeTimeout(Duration.ofSeconds(2));
        try (GatewayApp gateway = stack.startGateway(config)) {
            kafka.close();
            var response = stack.rest(gateway.port()).post("/transaction",
                    "{\"accountId\":\"a\",\"amount\":5,\"type\":\"credit\",\"transactionId\":\"tx-gone\"}");
            assertThat(response.status()).isEqualTo(503);
            assertThat(response.text("transactionId")).isEqualTo("tx-gone");
        }
    }

    @Test
    void aShutdownAnswersTheRequestsAlreadyWaitingBeforeItStops() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            // Given a gateway with a request waiting for an outcome (no processor: it will be answered 202)
            BankStack stack = new BankStack(kafka.bootstrapServers());
            GatewayConfig config = stack.gatewayConfig(List.of("http://127.0.0.1:" + BankStack.freePort()))
                    .withOutcomeTimeout(Duration.ofSeconds(3));
            GatewayApp gateway = stack.startGateway(config);
            Http http = stack.rest(gateway.port());
            var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> http.post("/transaction",
                    "{\"accountId\":\"a\",\"amount\":5,\"type\":\"credit\",\"transactionId\":\"tx-drain\"}"));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> scrapeWaiting(http) >= 1);

            // When it is told to stop (as on SIGTERM)
            var stopping = java.util.concurrent.CompletableFuture.runAsync(gateway::close);

            // Then new commands are refused while the waiting one still gets its answer
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                    .until(() -> http.get("/health/ready").status() == 503);
            assertThat(http.post("/transaction", "{\"accountId\":\"a\",\"amount\":5,\"type\":\"credit\"}").status())
                    .isEqualTo(503);
            var answered = waiting.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answered.status()).isEqualTo(202);
            assertThat(answered.text("transactionId")).isEqualTo("tx-drain");
            stopping.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static double scrapeWaiting(Http http) {
        String metrics = http.raw("/metrics");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^bank_gateway_waiting\\{[^}]*} ([0-9.]+)")
                .matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
