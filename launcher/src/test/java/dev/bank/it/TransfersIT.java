package dev.bank.it;

import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.bank.it.KafkaClients.LEDGER;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Transfers over REST against a real broker: completed, refunded by the destination (unknown account, other
 * currency), refused up front, retried, and paired in the ledger by transferId.
 */
class TransfersIT {

    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static BankStack stack;
    static Http http;

    @BeforeAll
    static void startTheSystemWithThreeAccounts() throws Exception {
        bank = BankSystem.start(stateDir);
        stack = bank.stack();
        http = bank.http();
        assertThat(http.post("/accounts", "{\"accountId\":\"t-alice\",\"currency\":\"EUR\",\"initialDeposit\":100}").status()).isEqualTo(201);
        assertThat(http.post("/accounts", "{\"accountId\":\"t-bob\",\"currency\":\"EUR\"}").status()).isEqualTo(201);
        assertThat(http.post("/accounts", "{\"accountId\":\"t-carol\",\"currency\":\"USD\"}").status()).isEqualTo(201);
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (bank != null) bank.close();
    }

    @Test
    void completesATransferAndPairsItsLedgerEntries() {
        var done = http.post("/transfers",
                "{\"fromAccountId\":\"t-alice\",\"toAccountId\":\"t-bob\",\"amount\":\"30.00\",\"transactionId\":\"tr-ok\",\"reference\":\"rent\"}");
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.text("transferStatus")).isEqualTo("COMPLETED");
        assertThat(done.text("transferId")).isEqualTo("tr-ok");
        assertThat(http.get("/balance/t-bob").text("balance")).isEqualTo("30.00");

        var out = http.get("/accounts/t-alice/transfers/tr-ok");
        assertThat(out.status()).isEqualTo(200);
        assertThat(out.text("direction")).isEqualTo("OUT");
        assertThat(out.text("transferStatus")).isEqualTo("COMPLETED");
        assertThat(http.get("/accounts/t-bob/transfers/tr-ok").text("direction")).isEqualTo("IN");

        var retry = http.post("/transfers",
                "{\"fromAccountId\":\"t-alice\",\"toAccountId\":\"t-bob\",\"amount\":30,\"transactionId\":\"tr-ok\",\"reference\":\"rent\"}");
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(http.get("/balance/t-bob").text("balance")).as("moved once").isEqualTo("30.00");

        List<LedgerEntry> legs = TopicReader.readUntil(stack.bootstrapServers(), stack.topics().ledger(),
                        rs -> rs.stream().filter(r -> r.key().equals("t-bob")).count() >= 1).stream()
                .map(r -> LEDGER.deserialize(r.value()))
                .filter(e -> "tr-ok".equals(e.transferId())).toList();
        assertThat(legs).extracting(LedgerEntry::type).containsExactlyInAnyOrder(EntryType.TRANSFER_OUT, EntryType.TRANSFER_IN);
        assertThat(legs).allMatch(e -> "rent".equals(e.reference()));
    }

    @Test
    void refundsATransferToAnUnknownAccount() {
        String before = http.get("/balance/t-alice").text("balance");
        var refunded = http.post("/transfers",
                "{\"fromAccountId\":\"t-alice\",\"toAccountId\":\"t-nobody\",\"amount\":5,\"transactionId\":\"tr-lost\"}");
        assertThat(refunded.status()).isEqualTo(404);
        assertThat(refunded.text("reason")).isEqualTo("ACCOUNT_NOT_FOUND");
        assertThat(refunded.text("transferStatus")).isEqualTo("REFUNDED");
        assertThat(http.get("/balance/t-alice").text("balance")).isEqualTo(before);
        assertThat(http.get("/accounts/t-alice/transfers/tr-lost").text("transferStatus")).isEqualTo("REFUNDED");
    }

    @Test
    void refundsATransferIntoAnotherCurrency() {
        var refunded = http.post("/transfers",
                "{\"fromAccountId\":\"t-alice\",\"toAccountId\":\"t-carol\",\"amount\":5,\"transactionId\":\"tr-usd\"}");
        assertThat(refunded.status()).isEqualTo(422);
        assertThat(refunded.text("reason")).isEqualTo("CURRENCY_MISMATCH");
        assertThat(refunded.text("transferStatus")).isEqualTo("REFUNDED");
        assertThat(http.get("/balance/t-carol").text("balance")).isEqualTo("0.00");
    }

    @Test
    void refusesATransferBeyondTheBalanceBeforeMovingAnything() {
        var refused = http.post("/transfers",
                "{\"fromAccountId\":\"t-bob\",\"toAccountId\":\"t-alice\",\"amount\":1000000,\"transactionId\":\"tr-big\"}");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("reason")).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(refused.text("transferStatus")).isEqualTo("REJECTED");
        // the Location a 202 would have given leads to the same refusal, not to a 404 for ever
        var polled = http.get("/accounts/t-bob/transfers/tr-big");
        assertThat(polled.status()).isEqualTo(422);
        assertThat(polled.text("reason")).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(polled.text("transactionId")).isEqualTo("tr-big");
        // a transactionId that is not a transfer is no transfer
        assertThat(http.get("/accounts/t-bob/transfers/no-such-transfer").status()).isEqualTo(404);
    }
}
