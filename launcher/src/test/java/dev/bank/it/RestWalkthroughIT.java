package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.processor.ProcessorApp;
import dev.bank.schemas.LedgerEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.bank.it.KafkaClients.LEDGER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's curl walk-through, over HTTP, against a real broker, the real processor and the real gateway:
 * open an account, credit 1000, debit 200, balance 800, an overdraft refused with 422, a retried transactionId
 * applied once. Then the error answers a client can meet.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestWalkthroughIT {

    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static BankStack stack;
    static ProcessorApp processor;
    static Http http;

    @BeforeAll
    static void startTheSystem() throws Exception {
        bank = BankSystem.start(stateDir);
        stack = bank.stack();
        processor = bank.processor();
        http = bank.http();
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (bank != null) bank.close();
    }

    @Test
    @Order(1)
    void walksThroughTheReadme() {
        var opened = http.post("/accounts", "{\"accountId\":\"alice\",\"currency\":\"EUR\"}", "open-alice");
        assertThat(opened.status()).isEqualTo(201);
        assertThat(opened.text("accountId")).isEqualTo("alice");
        assertThat(opened.text("balance")).isEqualTo("0.00");
        assertThat(opened.text("currency")).isEqualTo("EUR");

        var credit = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":1000,\"type\":\"credit\",\"transactionId\":\"tx-1\"}");
        assertThat(credit.status()).isEqualTo(200);
        assertThat(credit.text("status")).isEqualTo("success");
        assertThat(credit.text("transactionId")).isEqualTo("tx-1");
        assertThat(credit.text("amount")).isEqualTo("1000.00");
        assertThat(credit.text("type")).isEqualTo("credit");
        assertThat(credit.text("balance")).isEqualTo("1000.00");

        var debit = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":200,\"type\":\"debit\",\"transactionId\":\"tx-2\"}");
        assertThat(debit.status()).isEqualTo(200);
        assertThat(debit.text("balance")).isEqualTo("800.00");

        var balance = http.get("/balance/alice");
        assertThat(balance.status()).isEqualTo(200);
        assertThat(balance.body().toString()).isEqualTo("{\"accountId\":\"alice\",\"balance\":800.00,\"currency\":\"EUR\","
                + "\"available\":800.00,\"held\":0.00,\"accountStatus\":\"OPEN\"}");

        var overdraw = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":900,\"type\":\"debit\",\"transactionId\":\"tx-3\"}");
        assertThat(overdraw.status()).isEqualTo(422);
        assertThat(overdraw.contentType()).startsWith("application/problem+json");
        assertThat(overdraw.text("reason")).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(overdraw.text("transactionId")).isEqualTo("tx-3");

        var retry = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":200,\"type\":\"debit\",\"transactionId\":\"tx-2\"}");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).as("a retry gets the first answer").isEqualTo(debit.body());
        assertThat(retry.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(http.get("/balance/alice").text("balance")).as("applied once").isEqualTo("800.00");
    }

    @Test
    @Order(2)
    void theLedgerHoldsOneEntryPerPostingInSequence() {
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readUntil(stack.bootstrapServers(),
                stack.topics().ledger(), rs -> rs.size() >= 2);
        List<LedgerEntry> alice = records.stream().filter(r -> "alice".equals(r.key()))
                .map(r -> LEDGER.deserialize(r.value())).toList();
        assertThat(alice).extracting(LedgerEntry::transactionId).containsExactly("tx-1", "tx-2");
        assertThat(alice).extracting(LedgerEntry::sequence).containsExactly(1L, 2L);
        assertThat(alice).extracting(LedgerEntry::balanceAfterMinor).containsExactly(100_000L, 80_000L);
    }

    @Test
    @Order(3)
    void aDifferentRequestUnderAUsedTransactionIdIsAConflict() {
        var conflict = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":250,\"type\":\"debit\",\"transactionId\":\"tx-2\"}");
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.text("reason")).isEqualTo("IDEMPOTENCY_CONFLICT");
        assertThat(http.get("/balance/alice").text("balance")).isEqualTo("800.00");
    }

    @Test
    @Order(4)
    void theIdempotencyKeyHeaderWorksAsTransactionId() {
        var first = http.post("/transaction", "{\"accountId\":\"alice\",\"amount\":\"0.50\",\"type\":\"credit\"}",
                "key-42");
        var second = http.post("/transaction", "{\"accountId\":\"alice\",\"amount\":\"0.5\",\"type\":\"credit\"}",
                "key-42");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text("transactionId")).isEqualTo("key-42");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(http.get("/balance/alice").text("balance")).isEqualTo("800.50");
    }

    @Test
    @Order(5)
    void answersClientErrorsWithProblemDetails() {
        var invalid = http.post("/transaction", "{\"accountId\":\"alice\",\"amount\":-3,\"type\":\"withdraw\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.contentType()).startsWith("application/problem+json");
        assertThat(invalid.body().get("errors").has("amount")).isTrue();
        assertThat(invalid.body().get("errors").has("type")).isTrue();

        var tooPrecise = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":\"1.005\",\"type\":\"credit\",\"transactionId\":\"tx-p\"}");
        assertThat(tooPrecise.status()).as("the processor refuses more decimals than EUR has").isEqualTo(400);
        assertThat(tooPrecise.text("reason")).isEqualTo("INVALID_AMOUNT");

        var unknown = http.post("/transaction", "{\"accountId\":\"bob\",\"amount\":5,\"type\":\"credit\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.text("reason")).isEqualTo("ACCOUNT_NOT_FOUND");
        assertThat(http.get("/balance/bob").status()).isEqualTo(404);

        var mismatch = http.post("/transaction",
                "{\"accountId\":\"alice\",\"amount\":5,\"type\":\"credit\",\"currency\":\"USD\"}");
        assertThat(mismatch.status()).isEqualTo(422);
        assertThat(mismatch.text("reason")).isEqualTo("CURRENCY_MISMATCH");

        var duplicate = http.post("/accounts", "{\"accountId\":\"alice\",\"currency\":\"EUR\"}");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.text("reason")).isEqualTo("DUPLICATE_ACCOUNT");
    }

    @Test
    @Order(6)
    void theOutcomeOfASubmittedTransactionCanBePolled() {
        var outcome = http.get("/accounts/alice/transactions/tx-2");
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.text("balance")).isEqualTo("800.00");
        assertThat(http.get("/accounts/alice/transactions/never-sent").status()).isEqualTo(404);
    }

    @Test
    @Order(7)
    void opensAccountsWithAnOpeningDepositAndAGeneratedId() {
        var opened = http.post("/accounts", "{\"currency\":\"JPY\",\"initialDeposit\":500}");
        assertThat(opened.status()).isEqualTo(201);
        String id = opened.text("accountId");
        assertThat(id).startsWith("acc-");
        assertThat(http.get("/balance/" + id).text("balance")).isEqualTo("500");
    }

    @Test
    @Order(8)
    void aGatewayGivenSeveralProcessorsAsksTheNextWhenOneDoesNotAnswer() {
        var config = stack.gatewayConfig(List.of("http://127.0.0.1:" + BankStack.freePort(), processor.queryUrl()));
        try (GatewayApp failingOver = stack.startGateway(config)) {
            var balance = stack.rest(failingOver.port()).get("/balance/alice");
            assertThat(balance.status()).isEqualTo(200);
            assertThat(balance.text("balance")).isEqualTo("800.50");
        }
    }
}
