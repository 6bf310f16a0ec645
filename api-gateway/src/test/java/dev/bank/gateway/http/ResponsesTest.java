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

    @Test
    void mapsTheFraudReasonsToTheirStatuses() {
        assertThat(Responses.status(RejectionReason.FRAUD_SUSPECTED)).isEqualTo(422);
        assertThat(Responses.status(RejectionReason.REVIEW_NOT_FOUND)).isEqualTo(404);
        assertThat(Responses.status(RejectionReason.REVIEW_NOT_PENDING)).isEqualTo(409);
    }

    @Test
    void aDeclineIsA422WhoseDetailIsTheProcessorsGenericTextAndNoMore() {
        String generic = "the payment was declined: it does not look like this account's usual activity;"
                + " contact the bank if it is genuine";
        var outcome = new Outcome("t-4", "acc-1", CommandType.TRANSFER, OutcomeStatus.REJECTED,
                RejectionReason.FRAUD_SUSPECTED, generic, 500_000L, 80_000L, "EUR", 3, false, 1L, "acc-2",
                dev.bank.schemas.TransferStatus.REJECTED);
        var problem = Responses.rejection(outcome);
        assertThat(problem.status()).isEqualTo(422);
        assertThat(problem.title()).isEqualTo("Fraud suspected");
        assertThat(problem.reason()).isEqualTo("FRAUD_SUSPECTED");
        assertThat(problem.detail()).isEqualTo(generic);
        assertThat(problem.transferStatus()).isEqualTo("REJECTED");
    }

    @Test
    void aPaymentUnderReviewIsNotARefusalAndSaysWhatIsHeldNotWhy() {
        var outcome = new Outcome("pay-1", "acc-1", CommandType.TRANSFER, OutcomeStatus.IN_REVIEW, null,
                "held for a fraud review", 250_000L, 400_000L, "EUR", 3, false, 1L, "acc-2", null, null, "alice",
                "pay-1", dev.bank.schemas.HoldStatus.ACTIVE, 250_000L, 150_000L);
        var body = Responses.underReview(outcome, "/accounts/acc-1/transactions/pay-1");
        assertThat(body).containsEntry("status", "IN_REVIEW").containsEntry("transactionId", "pay-1")
                .containsEntry("accountId", "acc-1").containsEntry("statusUrl", "/accounts/acc-1/transactions/pay-1")
                .containsEntry("type", "transfer").containsEntry("amount", new java.math.BigDecimal("2500.00"))
                .containsEntry("balance", new java.math.BigDecimal("4000.00"))
                .containsEntry("available", new java.math.BigDecimal("1500.00")).containsEntry("holdId", "pay-1")
                .containsEntry("toAccountId", "acc-2").doesNotContainKeys("reason", "findings", "score");
    }

    @Test
    void aReviewShowsItsFindingsAndThePaymentInMajorUnits() {
        var review = new dev.bank.schemas.FraudReview("acc-1", "pay-1",
                dev.bank.schemas.Command.transfer("pay-1", "acc-1", "acc-2", "2500", "rent").by("alice", false),
                250_000, "EUR", 110, java.util.List.of(
                        new dev.bank.schemas.FraudFinding(dev.bank.schemas.FraudRule.NEW_PAYEE, 50, "a first transfer",
                                java.util.Map.of("threshold", "2000.00")),
                        new dev.bank.schemas.FraudFinding(dev.bank.schemas.FraudRule.LARGE_AMOUNT, 60, "unusually large",
                                java.util.Map.of("factor", "10"))),
                dev.bank.schemas.ReviewStatus.EXPIRED, 1_700_000_000_000L, 1_700_086_400_000L,
                dev.bank.schemas.ReviewStatus.REJECTED, 1_700_086_405_000L, null);
        var body = Responses.review(review);
        assertThat(body).containsEntry("reviewId", "pay-1").containsEntry("reviewStatus", "EXPIRED")
                .containsEntry("resolution", "REJECTED").containsEntry("score", 110)
                .containsEntry("amount", new java.math.BigDecimal("2500.00")).containsEntry("holdId", "pay-1")
                .containsEntry("deadline", "2023-11-15T22:13:20Z").containsEntry("decidedAt", "2023-11-15T22:13:25Z")
                .containsEntry("paymentUrl", "/accounts/acc-1/transactions/pay-1").doesNotContainKey("decidedBy");
        assertThat(body.get("payment")).isEqualTo(java.util.Map.of("transactionId", "pay-1", "type", "transfer",
                "amount", new java.math.BigDecimal("2500.00"), "currency", "EUR", "toAccountId", "acc-2",
                "reference", "rent", "principal", "alice"));
        assertThat(new String(dev.bank.schemas.Json.answer(body), java.nio.charset.StandardCharsets.UTF_8))
                .contains("\"findings\":[{\"rule\":\"NEW_PAYEE\",\"score\":50,\"reason\":\"a first transfer\","
                        + "\"evidence\":{\"threshold\":\"2000.00\"}},{\"rule\":\"LARGE_AMOUNT\"");
    }

    @Test
    void anApprovalNamesTheReviewWhenItIsKnownAndTheBalanceAfterThePayment() {
        var outcome = new Outcome("approve-1", "acc-1", CommandType.APPROVE_REVIEW, OutcomeStatus.ACCEPTED, null, null,
                250_000L, 150_000L, "EUR", 4, false, 1L);
        var asked = dev.bank.schemas.Command.decideReview("approve-1", "acc-1", "pay-1", true);
        assertThat(Responses.success(outcome, asked)).containsEntry("type", "approve_review")
                .containsEntry("reviewId", "pay-1").containsEntry("reviewStatus", "APPROVED")
                .containsEntry("balance", new java.math.BigDecimal("1500.00"))
                .containsEntry("reviewUrl", "/accounts/acc-1/reviews/pay-1")
                .containsEntry("paymentUrl", "/accounts/acc-1/transactions/pay-1");
        var rejected = new Outcome("reject-1", "acc-1", CommandType.REJECT_REVIEW, OutcomeStatus.ACCEPTED, null, null,
                250_000L, 400_000L, "EUR", 4, false, 1L);
        assertThat(Responses.success(rejected)).containsEntry("reviewStatus", "REJECTED").doesNotContainKey("reviewId");
        var rules = new Outcome("rules-1", "acc-1", CommandType.SET_FRAUD_RULES, OutcomeStatus.ACCEPTED, null, null,
                null, 400_000L, "EUR", 4, false, 1L);
        assertThat(Responses.success(rules)).containsEntry("type", "set_fraud_rules").containsEntry("status", "success");
    }
}
