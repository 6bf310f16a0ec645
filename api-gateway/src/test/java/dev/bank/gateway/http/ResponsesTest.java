package dev.bank.gateway.http;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResponsesTest {

    @Test
    void mapsEveryRejectionReasonToTheDocumentedStatus() {
        assertThat(Responses.status(RejectionReason.INVALID_AMOUNT)).isEqualTo(400);
        assertThat(Responses.status(RejectionReason.INVALID_COMMAND)).isEqualTo(400);
        assertThat(Responses.status(RejectionReason.ACCOUNT_NOT_FOUND)).isEqualTo(404);
        assertThat(Responses.status(RejectionReason.IDEMPOTENCY_CONFLICT)).isEqualTo(409);
        assertThat(Responses.status(RejectionReason.DUPLICATE_ACCOUNT)).isEqualTo(409);
        assertThat(Responses.status(RejectionReason.INSUFFICIENT_FUNDS)).isEqualTo(422);
        assertThat(Responses.status(RejectionReason.CURRENCY_MISMATCH)).isEqualTo(422);
        assertThat(Responses.status(RejectionReason.ACCOUNT_CLOSED)).isEqualTo(422);
        assertThat(Responses.status(RejectionReason.LIMIT_EXCEEDED)).isEqualTo(422);
    }

    @Test
    void answersAnAcceptedDebitInTheSeedsShapeWithBalanceAndCurrency() {
        var outcome = new Outcome("t-2", "acc-1", CommandType.DEBIT, OutcomeStatus.ACCEPTED, null, null,
                20_000L, 80_000L, "EUR", 3, false, 1L);
        assertThat(Responses.transaction(outcome)).containsExactly(
                java.util.Map.entry("status", "success"), java.util.Map.entry("transactionId", "t-2"),
                java.util.Map.entry("accountId", "acc-1"), java.util.Map.entry("amount", new java.math.BigDecimal("200.00")),
                java.util.Map.entry("type", "debit"), java.util.Map.entry("balance", new java.math.BigDecimal("800.00")),
                java.util.Map.entry("currency", "EUR"));
    }

    @Test
    void describesARejectionAsAProblemWithItsReason() {
        var outcome = new Outcome("t-3", "acc-1", CommandType.DEBIT, OutcomeStatus.REJECTED,
                RejectionReason.INSUFFICIENT_FUNDS, "balance 800.00 EUR is less than the debit of 900.00",
                90_000L, 80_000L, "EUR", 3, false, 1L);
        var problem = Responses.rejection(outcome);
        assertThat(problem.status()).isEqualTo(422);
        assertThat(problem.title()).isEqualTo("Insufficient funds");
        assertThat(problem.reason()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(problem.transactionId()).isEqualTo("t-3");
    }

    @Test
    void showsBalancesWithTheCurrencyScale() {
        assertThat(Responses.balance(new Account("a", "EUR", AccountStatus.OPEN, 80_000, 3, 1L)))
                .containsEntry("balance", new java.math.BigDecimal("800.00")).containsEntry("currency", "EUR");
        assertThat(Responses.balance(new Account("j", "JPY", AccountStatus.OPEN, 500, 1, 1L)))
                .containsEntry("balance", new java.math.BigDecimal("500"));
        // a JSON number, written with the currency's scale: never a string, never 8E+2
        assertThat(new String(dev.bank.schemas.Json.answer(Responses.balance(new Account("a", "EUR", AccountStatus.OPEN,
                80_000, 3, 1L))), java.nio.charset.StandardCharsets.UTF_8)).contains("\"balance\":800.00");
    }
}
