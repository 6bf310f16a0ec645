package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transfers between currencies against a real broker, processor and gateway. Rates come the way an upstream rates
 * system sends them: produced to the compacted rates topic by kcat (librdkafka, not Java), hostile records among them.
 * Then, over REST: a quote, a transfer naming it, both accounts and both FX positions, the history entries carrying
 * the conversion, quotes that are unknown or expired, an admin publishing a rate, and a second gateway started later
 * that knows every rate from the topic.
 */
class FxIT {
    @TempDir
    static Path stateDir;
    static BankSystem bank;

    @BeforeAll
    static void start() throws Exception {
        bank = BankSystem.start(stateDir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bank != null) bank.close();
    }

    @Test
    void convertsAtAQuotedRatePublishedUpstreamAndConservesEachCurrency() throws Exception {
        Http alice = bank.http();
        Http admin = bank.admin();
        String until = Instant.now().plusSeconds(3600).toString();
        // Given rates from an upstream system, with records that are not rates among them
        kcat(String.join("\n",
                "EUR:USD|{\"rateId\":\"ecb-1\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.08325\",\"validUntil\":\"" + until + "\"}",
                "EUR:GBP|not json at all",
                "EUR:JPY|{\"rateId\":\"ecb-2\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\",\"validUntil\":\"" + until + "\"}",
                "EUR:CHF|{\"rateId\":\"ecb-3\",\"base\":\"EUR\",\"quote\":\"CHF\",\"rate\":\"1e3\",\"validUntil\":\"" + until + "\"}",
                "USD:EUR|{\"rateId\":\"ecb-1\",\"base\":\"USD\",\"quote\":\"EUR\",\"rate\":\"0.9\",\"validUntil\":\"" + until + "\"}",
                "GBP:EUR|{\"rateId\":\"ecb-4\",\"base\":\"GBP\",\"quote\":\"EUR\",\"rate\":\"1.17\",\"validUntil\":\"2020-01-01T00:00:00Z\"}"));
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> alice.get("/fx/rates").body().get("rates").size() == 2);
        var rates = alice.get("/fx/rates").body().get("rates");
        assertThat(rates.get(0).get("from").asText() + rates.get(0).get("to").asText()).isEqualTo("EURUSD");
        assertThat(rates.get(0).get("validNow").asBoolean()).isTrue();
        assertThat(rates.get(1).get("quoteId").asText()).as("the stale GBP:EUR rate is listed, not valid")
                .isEqualTo("ecb-4");
        assertThat(rates.get(1).get("validNow").asBoolean()).isFalse();
        String metrics = admin.raw("/metrics");
        assertThat(metrics).contains("bank_gateway_fx_rates_refused_total{reason=\"unparseable\"");
        assertThat(metrics).contains("reason=\"invalid\"").contains("reason=\"schema\"").contains("reason=\"reused-id\"");

        // and two accounts in different currencies
        assertThat(alice.post("/accounts", "{\"accountId\":\"fx-eur\",\"currency\":\"EUR\",\"initialDeposit\":500}")
                .status()).isEqualTo(201);
        assertThat(alice.post("/accounts", "{\"accountId\":\"fx-usd\",\"currency\":\"USD\"}").status()).isEqualTo(201);

        // When a quote is asked for and a transfer names it
        var quote = alice.post("/fx/quotes", "{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"100.00\"}");
        assertThat(quote.status()).isEqualTo(200);
        assertThat(quote.text("quoteId")).isEqualTo("ecb-1");
        assertThat(quote.text("rate")).isEqualTo("1.08325");
        assertThat(quote.text("convertedAmount")).isEqualTo("108.32");
        var transfer = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"100.00\",\"quoteId\":\"ecb-1\",\"transactionId\":\"fx-t1\"}");

        // Then it converts at exactly that rate, half-even to the cent
        assertThat(transfer.status()).as(transfer.body().toString()).isEqualTo(200);
        assertThat(transfer.body().get("fx").toString()).isEqualTo("{\"quoteId\":\"ecb-1\",\"rate\":\"1.08325\","
                + "\"sourceAmount\":100.00,\"sourceCurrency\":\"EUR\",\"targetAmount\":108.32,\"targetCurrency\":\"USD\"}");
        assertThat(balance(alice, "fx-eur")).isEqualByComparingTo("400.00");
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> balance(alice, "fx-usd").compareTo(new BigDecimal("108.32")) == 0);
        // and the bank's positions take the other side: per currency, nothing was created or lost
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> admin.get("/balance/bank.fx.USD").status() == 200
                && admin.get("/balance/bank.fx.EUR").status() == 200);
        assertThat(balance(admin, "bank.fx.EUR")).isEqualByComparingTo("100.00");
        assertThat(balance(admin, "bank.fx.USD")).isEqualByComparingTo("-108.32");
        assertThat(alice.get("/balance/bank.fx.USD").status()).as("a customer cannot see the bank's position")
                .isEqualTo(404);
        var history = alice.get("/accounts/fx-usd/transactions").body().get("transactions");
        assertThat(history.get(0).get("type").asText()).isEqualTo("TRANSFER_IN");
        assertThat(history.get(0).get("fx").get("sourceAmount").decimalValue()).isEqualByComparingTo("100.00");
        var state = alice.get("/accounts/fx-usd/transfers/fx-t1").body();
        assertThat(state.get("amount").decimalValue()).isEqualByComparingTo("108.32");
        assertThat(state.get("currency").asText()).isEqualTo("USD");

        // Refused: an unknown quote, a quote from another currency than the source's, no quote at all
        var unknown = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"1\",\"quoteId\":\"nope\"}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text("reason")).isEqualTo("FX_QUOTE_NOT_FOUND");
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        var noRate = alice.post("/fx/quotes", "{\"from\":\"USD\",\"to\":\"EUR\"}");
        assertThat(noRate.status()).isEqualTo(422);
        assertThat(noRate.text("reason")).isEqualTo("FX_RATE_UNAVAILABLE");
        var stale = alice.post("/fx/quotes", "{\"from\":\"GBP\",\"to\":\"EUR\"}");
        assertThat(stale.text("reason")).isEqualTo("FX_RATE_UNAVAILABLE");
        assertThat(stale.text("detail")).contains("stale");
        var unconverted = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"1\"}");
        assertThat(unconverted.status()).isEqualTo(422);
        assertThat(unconverted.text("reason")).isEqualTo("CURRENCY_MISMATCH");
        assertThat(unconverted.text("transferStatus")).isEqualTo("REFUNDED");

        // An admin publishes a rate valid for two seconds; customers may not
        assertThat(alice.post("/fx/rates", "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.2\",\"validFor\":\"PT2S\"}")
                .status()).isEqualTo(403);
        var published = admin.post("/fx/rates",
                "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.2\",\"validFor\":\"PT2S\",\"rateId\":\"desk-1\"}");
        assertThat(published.status()).as(published.body().toString()).isEqualTo(201);
        assertThat(alice.post("/fx/quotes", "{\"from\":\"EUR\",\"to\":\"USD\"}").text("quoteId")).isEqualTo("desk-1");
        assertThat(admin.post("/fx/rates", "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.3\",\"validFor\":\"PT1H\","
                + "\"rateId\":\"desk-1\"}").status()).as("a rate id is used once").isEqualTo(409);
        String atDesk1 = "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\",\"amount\":\"1\","
                + "\"quoteId\":\"desk-1\",\"transactionId\":\"fx-t4\"}";
        var inTime = alice.post("/transfers", atDesk1);
        Instant desk1Ends = Instant.parse(published.text("validUntil"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(desk1Ends.plusMillis(200)));
        var expired = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"1\",\"quoteId\":\"desk-1\"}");
        assertThat(expired.status()).isEqualTo(422);
        assertThat(expired.text("reason")).isEqualTo("FX_QUOTE_EXPIRED");
        assertThat(expired.text("detail")).contains("ask for a new quote");
        // a retry of the transfer made while the quote was valid gets its first answer, whatever the clock says now
        var retried = alice.post("/transfers", atDesk1);
        assertThat(retried.status()).isEqualTo(inTime.status());
        assertThat(retried.body()).isEqualTo(inTime.body());
        assertThat(retried.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        // the older quote is still good until its own validity ends, though the pair moved on
        var older = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"10\",\"quoteId\":\"ecb-1\",\"transactionId\":\"fx-t2\"}");
        assertThat(older.status()).isEqualTo(200);
        assertThat(older.body().get("fx").get("targetAmount").decimalValue()).isEqualByComparingTo("10.83");

        // The feed withdraws EUR:USD (a tombstone): no more quotes, and ecb-1 ended then; a retry of a transfer made
        // with it still gets its first answer, a new one is refused as expired
        kcat("EUR:USD|", "-Z");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                alice.post("/fx/quotes", "{\"from\":\"EUR\",\"to\":\"USD\"}").status() == 422);
        var again = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"10\",\"quoteId\":\"ecb-1\",\"transactionId\":\"fx-t2\"}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        var withdrawn = alice.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                + "\"amount\":\"10\",\"quoteId\":\"ecb-1\"}");
        assertThat(withdrawn.status()).isEqualTo(422);
        assertThat(withdrawn.text("reason")).isEqualTo("FX_QUOTE_EXPIRED");
        kcat("EUR:USD|{\"rateId\":\"ecb-5\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.08325\","
                + "\"validUntil\":\"" + until + "\"}");

        // A gateway started now knows every rate from the topic, the one an admin published through the other too
        try (GatewayApp second = bank.stack().startGateway(List.of(bank.processor().queryUrl()))) {
            Http viaSecond = BankStack.rest(second.port());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> viaSecond.get("/fx/rates").status() == 200
                    && viaSecond.get("/fx/rates").body().get("rates").size() == 2);
            var t3 = viaSecond.post("/transfers", "{\"fromAccountId\":\"fx-eur\",\"toAccountId\":\"fx-usd\","
                    + "\"amount\":\"1\",\"quoteId\":\"ecb-5\",\"transactionId\":\"fx-t3\"}");
            assertThat(t3.status()).isEqualTo(200);
        }
        // fx-t4 converted 1 EUR at 1.2 if it reached the bank within the quote's two seconds
        boolean t4 = inTime.status() == 200;
        BigDecimal usd = new BigDecimal(t4 ? "121.43" : "120.23");
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> balance(alice, "fx-usd").compareTo(usd) == 0);
        assertThat(balance(alice, "fx-eur")).isEqualByComparingTo(t4 ? "388.00" : "389.00");
        assertThat(balance(admin, "bank.fx.EUR")).isEqualByComparingTo(t4 ? "112.00" : "111.00");
        assertThat(balance(admin, "bank.fx.USD")).isEqualByComparingTo(usd.negate());
    }

    /**
     * A gateway started before the rates topic exists (a deployment upgraded without creating it) serves everything
     * else, answers the FX routes 503 with Retry-After, and reads the topic once it is created.
     */
    @Test
    void aGatewayStartedBeforeTheRatesTopicExistsReadsItOnceCreated() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            var topics = dev.bank.schemas.Topics.defaults();
            List<dev.bank.schemas.TopicSpec> specs = topics.specs();
            // every topic but the rates (the stack's own constructor would create them all, and the gateway could
            // then find them before its first answer)
            BankStack stack = new BankStack(kafka.bootstrapServers(),
                    specs.stream().filter(t -> !t.name().equals(topics.fxRates())).toList());
            try (GatewayApp gateway = stack.startGateway(List.of("http://127.0.0.1:9"))) {
                Http http = BankStack.rest(gateway.port());
                var missing = http.get("/fx/rates");
                assertThat(missing.status()).isEqualTo(503);
                assertThat(missing.raw().headers().firstValue("Retry-After")).hasValue("1");
                assertThat(http.get("/health/ready").status()).as("the rest of the bank is ready").isEqualTo(200);
                dev.bank.launcher.TopicCreator.createAll(kafka.bootstrapServers(), specs, Duration.ofSeconds(60));
                kcatTo(kafka.bootstrapServers(), "EUR:USD|{\"rateId\":\"late-1\",\"base\":\"EUR\",\"quote\":\"USD\","
                        + "\"rate\":\"1.1\",\"validUntil\":\"" + Instant.now().plusSeconds(600) + "\"}");
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/fx/rates").status() == 200
                        && http.get("/fx/rates").body().get("rates").size() == 1);
            }
        }
    }

    private static BigDecimal balance(Http http, String accountId) {
        return http.get("/balance/" + accountId).body().get("balance").decimalValue();
    }

    /**
     * Produces {@code key|value} lines to the rates topic with kcat, as a non-Java rates feed would ({@code -Z}: an
     * empty value is a tombstone).
     */
    private static void kcat(String lines, String... options) throws IOException, InterruptedException {
        kcatTo(bank.bootstrapServers(), lines, options);
    }

    private static void kcatTo(String bootstrap, String lines, String... options) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("kcat", "-P", "-b", bootstrap, "-t",
                dev.bank.schemas.Topics.DEFAULT_FX_RATES, "-K", "|"));
        command.addAll(List.of(options));
        Process kcat = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = kcat.getOutputStream()) {
            in.write((lines + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        String said = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kcat.exitValue()).as("kcat: " + said).isZero();
    }
}
