package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fraud reviews end to end against a real broker, two processors and a gateway, with the bank's default rules: a
 * customer's ordinary payments go through; a first transfer to a new payee above the threshold is held (202 and the
 * Location of its outcome, the amount reserved under a hold, the balance untouched) until an admin, who finds it in
 * the review queue, approves it and the money moves; a debit held under the account's own lower daily cap is
 * rejected and its hold released; two rules at once decline a payment outright with a detail that names neither; the
 * alerts of all of them are on bank.fraud-alerts with the rules and their evidence. The queue is gathered from both
 * processors. A customer can neither decide a review nor read the queue. And, with a 3 s review time-out, a review
 * nobody decides ends with the bank's default, REJECTED.
 */
class FraudIT {
    @TempDir
    static Path stateDir;
    @TempDir
    static Path expiringStateDir;
    static BankSystem bank;

    @BeforeAll
    static void start() throws Exception {
        bank = BankSystem.start(stateDir, Map.of(), 2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bank != null) bank.close();
    }

    @Test
    void aReviewedPaymentIsHeldUntilAnAdminDecidesAndADeclinedOneSaysNothingOfWhy() {
        Http alice = bank.http();
        Http admin = bank.admin();
        for (String account : List.of("fr-alice", "fr-bob", "fr-carol", "fr-dave")) {
            String deposit = account.equals("fr-alice") ? ",\"initialDeposit\":\"10000.00\"" : "";
            assertThat(alice.post("/accounts", "{\"accountId\":\"" + account + "\",\"currency\":\"EUR\"" + deposit + "}",
                    "open-" + account).status()).isEqualTo(201);
        }
        // Given ordinary payments, which the rules let through (fewer than the five a median of outflows needs, so
        // the large-amount rule stays out of what follows)
        for (int i = 1; i <= 2; i++) {
            var debit = alice.post("/transaction", "{\"accountId\":\"fr-alice\",\"type\":\"debit\",\"amount\":\"50.00\"}",
                    "fr-debit-" + i);
            assertThat(debit.status()).as(debit.body().toString()).isEqualTo(200);
        }
        assertThat(alice.post("/transfers", "{\"fromAccountId\":\"fr-alice\",\"toAccountId\":\"fr-dave\","
                + "\"amount\":\"50.00\"}", "fr-small").status()).as("a small first transfer").isEqualTo(200);
        assertBalance(alice, "fr-alice", "9850.00", "9850.00", "0.00");

        // When a first transfer to a new payee above BANK_FRAUD_NEW_PAYEE_AMOUNT (2000) is sent
        String transferA = "{\"fromAccountId\":\"fr-alice\",\"toAccountId\":\"fr-bob\",\"amount\":\"2500.00\","
                + "\"reference\":\"car\"}";
        var held = alice.post("/transfers", transferA, "fr-pay-a");

        // Then it is held, not refused: 202, the Location of its outcome, the amount reserved and nothing moved
        assertThat(held.status()).as(held.body().toString()).isEqualTo(202);
        assertThat(held.raw().headers().firstValue("Location")).hasValue("/accounts/fr-alice/transactions/fr-pay-a");
        assertThat(held.text("status")).isEqualTo("IN_REVIEW");
        assertThat(held.text("transactionId")).isEqualTo("fr-pay-a");
        assertThat(held.text("accountId")).isEqualTo("fr-alice");
        assertThat(held.text("statusUrl")).isEqualTo("/accounts/fr-alice/transactions/fr-pay-a");
        assertThat(held.body().get("amount").decimalValue()).isEqualByComparingTo("2500.00");
        assertThat(held.body().toString()).doesNotContain("NEW_PAYEE", "2000");
        assertBalance(alice, "fr-alice", "9850.00", "7350.00", "2500.00");
        JsonNode holds = alice.get("/accounts/fr-alice/holds").body();
        assertThat(holds.get("holds")).hasSize(1);
        assertThat(holds.get("holds").get(0).get("holdId").asText()).isEqualTo("fr-pay-a");
        assertThat(holds.get("holds").get(0).get("reference").asText()).isEqualTo("fraud review");
        assertThat(holds.get("holds").get(0).get("amount").decimalValue()).isEqualByComparingTo("2500.00");
        var polled = alice.get("/accounts/fr-alice/transactions/fr-pay-a");
        assertThat(polled.status()).isEqualTo(202);
        assertThat(polled.body()).isEqualTo(held.body());
        var retried = alice.post("/transfers", transferA, "fr-pay-a");
        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(balance(alice, "fr-bob")).isEqualByComparingTo("0.00");
        // the held amount is not the customer's to release
        assertThat(alice.post("/accounts/fr-alice/holds/fr-pay-a/void", "{}", "fr-void-a").status()).isEqualTo(409);

        // and the customer can neither see the queue or the review nor decide it
        assertThat(alice.get("/reviews").status()).isEqualTo(403);
        assertThat(alice.get("/accounts/fr-alice/reviews/fr-pay-a").status()).isEqualTo(403);
        assertThat(alice.get("/accounts/fr-alice/reviews").status()).isEqualTo(403);
        var selfApproval = alice.post("/accounts/fr-alice/reviews/fr-pay-a/approve", "{}", "fr-self-approve");
        assertThat(selfApproval.status()).isEqualTo(403);
        assertThat(selfApproval.contentType()).startsWith("application/problem+json");
        assertThat(alice.put("/accounts/fr-alice/fraud-rules", "{\"enabled\":false}", "fr-self-rules").status())
                .isEqualTo(403);
        assertThat(bank.anonymous().get("/reviews").status()).isEqualTo(401);

        // When an admin finds it in the queue, with what the rules found
        JsonNode queued = reviewIn(admin.get("/reviews").body(), "fr-pay-a");
        assertThat(queued.get("reviewStatus").asText()).isEqualTo("PENDING");
        assertThat(queued.get("score").asInt()).isEqualTo(50);
        assertThat(queued.get("findings").get(0).get("rule").asText()).isEqualTo("NEW_PAYEE");
        assertThat(queued.get("findings").get(0).get("evidence").get("threshold").asText()).isEqualTo("2000.00");
        assertThat(queued.get("findings").get(0).get("evidence").get("payee").asText()).isEqualTo("fr-bob");
        assertThat(queued.get("payment").get("toAccountId").asText()).isEqualTo("fr-bob");
        assertThat(queued.get("payment").get("reference").asText()).isEqualTo("car");
        assertThat(queued.get("payment").get("principal").asText()).isEqualTo(BankStack.CUSTOMER);
        var review = admin.get("/accounts/fr-alice/reviews/fr-pay-a");
        assertThat(review.status()).isEqualTo(200);
        assertThat(review.body()).isEqualTo(queued);
        assertThat(admin.get("/accounts/fr-alice/reviews?status=pending").body().get("reviews")).hasSize(1);

        // and approves it
        var approved = admin.post("/accounts/fr-alice/reviews/fr-pay-a/approve", "", "fr-approve-a");

        // Then the money moves and the Location answers the completed transfer
        assertThat(approved.status()).as(approved.body().toString()).isEqualTo(200);
        assertThat(approved.text("reviewStatus")).isEqualTo("APPROVED");
        assertThat(approved.text("reviewId")).isEqualTo("fr-pay-a");
        assertThat(approved.text("transactionId")).isEqualTo("fr-approve-a");
        assertThat(approved.body().get("balance").decimalValue()).isEqualByComparingTo("7350.00");
        var completed = awaitStatus(alice, "/accounts/fr-alice/transactions/fr-pay-a", s -> s == 200);
        assertThat(completed.text("transferStatus")).isEqualTo("COMPLETED");
        assertThat(completed.body().get("amount").decimalValue()).isEqualByComparingTo("2500.00");
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> balance(alice, "fr-bob").compareTo(new BigDecimal("2500.00")) == 0);
        assertBalance(alice, "fr-alice", "7350.00", "7350.00", "0.00");
        assertThat(alice.get("/accounts/fr-alice/holds/fr-pay-a").text("holdStatus")).isEqualTo("VOIDED");
        var retriedAfter = alice.post("/transfers", transferA, "fr-pay-a");
        assertThat(retriedAfter.status()).as("a retry now gets the final outcome").isEqualTo(200);
        assertThat(retriedAfter.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        // a decision is made once: its retry is answered again, another one is a conflict, an unknown review 404
        var approvedAgain = admin.post("/accounts/fr-alice/reviews/fr-pay-a/approve", "", "fr-approve-a");
        assertThat(approvedAgain.status()).isEqualTo(200);
        assertThat(approvedAgain.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
        var late = admin.post("/accounts/fr-alice/reviews/fr-pay-a/reject", "", "fr-reject-a");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.text("reason")).isEqualTo("REVIEW_NOT_PENDING");
        var unknown = admin.post("/accounts/fr-alice/reviews/fr-pay-none/approve", "", "fr-approve-none");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.text("reason")).isEqualTo("REVIEW_NOT_FOUND");
        assertThat(admin.get("/accounts/fr-alice/reviews/fr-pay-none").status()).isEqualTo(404);
        JsonNode ended = admin.get("/accounts/fr-alice/reviews/fr-pay-a").body();
        assertThat(ended.get("reviewStatus").asText()).isEqualTo("APPROVED");
        assertThat(ended.get("decidedBy").asText()).isEqualTo("it-admin");
        assertThat(queueIds(admin.get("/reviews").body())).doesNotContain("fr-pay-a");

        // When an admin lowers the account's own daily cap, and a debit goes above it
        var badRules = admin.put("/accounts/fr-alice/fraud-rules", "{\"dailyOutflowCapp\":\"3000\"}", "fr-rules-bad");
        assertThat(badRules.status()).isEqualTo(400);
        assertThat(badRules.body().get("errors").has("dailyOutflowCapp")).isTrue();
        var rules = admin.put("/accounts/fr-alice/fraud-rules", "{\"dailyOutflowCap\":\"3000\"}", "fr-rules-1");
        assertThat(rules.status()).as(rules.body().toString()).isEqualTo(200);
        assertThat(rules.text("type")).isEqualTo("set_fraud_rules");
        var debitB = alice.post("/transaction", "{\"accountId\":\"fr-alice\",\"type\":\"debit\",\"amount\":\"500.00\"}",
                "fr-pay-b");

        // Then it is held too; rejected, the Location answers the refusal and the hold is released
        assertThat(debitB.status()).as(debitB.body().toString()).isEqualTo(202);
        assertThat(debitB.text("status")).isEqualTo("IN_REVIEW");
        assertThat(debitB.raw().headers().firstValue("Location")).hasValue("/accounts/fr-alice/transactions/fr-pay-b");
        assertBalance(alice, "fr-alice", "7350.00", "6850.00", "500.00");
        assertThat(reviewIn(admin.get("/reviews").body(), "fr-pay-b").get("findings").get(0).get("evidence")
                .get("cap").asText()).isEqualTo("3000.00");
        var rejected = admin.post("/accounts/fr-alice/reviews/fr-pay-b/reject", "{\"transactionId\":\"fr-reject-b\"}", null);
        assertThat(rejected.status()).as(rejected.body().toString()).isEqualTo(200);
        assertThat(rejected.text("reviewStatus")).isEqualTo("REJECTED");
        var refusedB = alice.get("/accounts/fr-alice/transactions/fr-pay-b");
        assertThat(refusedB.status()).isEqualTo(422);
        assertThat(refusedB.contentType()).startsWith("application/problem+json");
        assertThat(refusedB.text("reason")).isEqualTo("FRAUD_SUSPECTED");
        assertThat(refusedB.text("detail")).doesNotContain("3000", "DAILY", "cap", "threshold");
        assertBalance(alice, "fr-alice", "7350.00", "7350.00", "0.00");
        assertThat(alice.get("/accounts/fr-alice/holds/fr-pay-b").text("holdStatus")).isEqualTo("VOIDED");
        assertThat(alice.get("/accounts/fr-alice/holds").body().get("holds")).isEmpty();

        // When a payment triggers two rules at once (above the account's cap, to a payee it never paid)
        assertThat(admin.put("/accounts/fr-alice/fraud-rules", "{\"dailyOutflowCap\":\"3000\",\"newPayeeAmount\":100}",
                "fr-rules-2").status()).isEqualTo(200);
        var declined = alice.post("/transfers", "{\"fromAccountId\":\"fr-alice\",\"toAccountId\":\"fr-carol\","
                + "\"amount\":\"600.00\"}", "fr-pay-c");

        // Then it is refused outright, and the answer names no rule and no threshold
        assertThat(declined.status()).as(declined.body().toString()).isEqualTo(422);
        assertThat(declined.contentType()).startsWith("application/problem+json");
        assertThat(declined.text("reason")).isEqualTo("FRAUD_SUSPECTED");
        assertThat(declined.text("transferStatus")).isEqualTo("REJECTED");
        assertThat(declined.text("detail")).contains("declined")
                .doesNotContain("3000", "100", "NEW_PAYEE", "DAILY", "payee", "cap", "threshold", "score");
        assertThat(declined.body().has("findings")).isFalse();
        assertThat(alice.get("/accounts/fr-alice/transactions/fr-pay-c").status()).isEqualTo(422);
        assertBalance(alice, "fr-alice", "7350.00", "7350.00", "0.00");
        assertThat(admin.get("/accounts/fr-alice/reviews/fr-pay-c").status()).as("a decline is no review").isEqualTo(404);

        // and back on the bank's defaults, the same kind of debit goes through
        assertThat(admin.put("/accounts/fr-alice/fraud-rules", "{}", "fr-rules-3").status()).isEqualTo(200);
        assertThat(alice.post("/transaction", "{\"accountId\":\"fr-alice\",\"type\":\"debit\",\"amount\":\"100.00\"}",
                "fr-debit-after").status()).isEqualTo(200);
        assertThat(admin.get("/accounts/fr-alice/reviews").body().get("reviews")).extracting(r -> r.get("reviewId").asText())
                .containsExactly("fr-pay-a", "fr-pay-b");

        // And every stop and every decision is an alert, with the rules and their evidence, for operators
        Map<String, List<FraudAlert>> alerts = alerts(bank, List.of("fr-pay-a", "fr-pay-b", "fr-pay-c"), 5);
        assertThat(alerts.get("fr-pay-a")).extracting(FraudAlert::reviewStatus)
                .containsExactly(ReviewStatus.PENDING, ReviewStatus.APPROVED);
        FraudAlert approvedAlert = alerts.get("fr-pay-a").get(1);
        assertThat(approvedAlert.decision()).isEqualTo(FraudDecision.REVIEW);
        assertThat(approvedAlert.resolution()).isEqualTo(ReviewStatus.APPROVED);
        assertThat(approvedAlert.decidedBy()).isEqualTo("it-admin");
        assertThat(approvedAlert.principal()).isEqualTo(BankStack.CUSTOMER);
        assertThat(approvedAlert.amountMinor()).isEqualTo(250_000);
        assertThat(approvedAlert.findings()).extracting(FraudFinding::rule).containsExactly(FraudRule.NEW_PAYEE);
        assertThat(approvedAlert.findings().get(0).evidence()).containsEntry("threshold", "2000.00")
                .containsEntry("amount", "2500.00").containsEntry("payee", "fr-bob");
        assertThat(alerts.get("fr-pay-b")).extracting(FraudAlert::reviewStatus)
                .containsExactly(ReviewStatus.PENDING, ReviewStatus.REJECTED);
        assertThat(alerts.get("fr-pay-b").get(0).findings()).extracting(FraudFinding::rule)
                .containsExactly(FraudRule.DAILY_OUTFLOW);
        assertThat(alerts.get("fr-pay-b").get(0).findings().get(0).evidence()).containsEntry("cap", "3000.00")
                .containsEntry("outflowToday", "3150.00");
        FraudAlert decline = alerts.get("fr-pay-c").get(0);
        assertThat(alerts.get("fr-pay-c")).hasSize(1);
        assertThat(decline.decision()).isEqualTo(FraudDecision.DECLINE);
        assertThat(decline.reviewStatus()).isNull();
        assertThat(decline.findings()).extracting(FraudFinding::rule)
                .containsExactlyInAnyOrder(FraudRule.DAILY_OUTFLOW, FraudRule.NEW_PAYEE);
        assertThat(decline.score()).isEqualTo(110);
        assertThat(decline.findings()).filteredOn(f -> f.rule() == FraudRule.NEW_PAYEE).first()
                .satisfies(f -> assertThat(f.evidence()).containsEntry("threshold", "100.00")
                        .containsEntry("payee", "fr-carol"));
    }

    /**
     * Reviews on accounts of every partition, so both processors own some: the queue asked through the gateway, and
     * asked of either processor, is all of them, oldest first, and a limit gives the oldest.
     */
    @Test
    void theQueueIsGatheredFromEveryProcessorOldestFirst() {
        Http alice = bank.http();
        Http admin = bank.admin();
        int partitions = Topics.DEFAULT_PARTITIONS;
        Map<Integer, String> payers = new java.util.TreeMap<>();
        for (int i = 0; payers.size() < partitions; i++) {
            String id = "fq-payer-" + i;
            payers.putIfAbsent(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions, id);
        }
        assertThat(alice.post("/accounts", "{\"accountId\":\"fq-payee\",\"currency\":\"EUR\"}", "open-fq-payee")
                .status()).isEqualTo(201);
        List<String> held = new ArrayList<>();
        for (String payer : payers.values()) {
            assertThat(alice.post("/accounts", "{\"accountId\":\"" + payer + "\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"3000\"}", "open-" + payer).status()).isEqualTo(201);
        }
        for (String payer : payers.values()) {
            var transfer = alice.post("/transfers", "{\"fromAccountId\":\"" + payer + "\",\"toAccountId\":\"fq-payee\","
                    + "\"amount\":\"2000\"}", payer + "-pay");
            assertThat(transfer.status()).as(transfer.body().toString()).isEqualTo(202);
            held.add(payer + "-pay");
        }

        List<String> viaGateway = queueIds(admin.get("/reviews?limit=1000").body());
        assertThat(viaGateway.stream().filter(held::contains).toList()).as("oldest first").containsExactlyElementsOf(held);
        for (var processor : bank.processors()) {
            var direct = BankStack.query(processor.queryUrl()).get("/internal/reviews?status=PENDING");
            assertThat(direct.status()).as(processor.queryUrl()).isEqualTo(200);
            assertThat(direct.body().get("reviews")).extracting(r -> r.get("transactionId").asText())
                    .as("asked of " + processor.queryUrl()).containsAll(held);
        }
        var two = admin.get("/reviews?status=PENDING&limit=2").body();
        assertThat(two.get("reviews")).hasSize(2);
        assertThat(two.get("more").asBoolean()).isTrue();
        assertThat(admin.get("/reviews?limit=0").status()).isEqualTo(400);
        assertThat(admin.get("/reviews?status=LOST").status()).isEqualTo(400);

        // rejected, they leave the queue and show among the rejected
        for (String payer : payers.values()) {
            assertThat(admin.post("/accounts/" + payer + "/reviews/" + payer + "-pay/reject", "", null).status())
                    .isEqualTo(200);
        }
        assertThat(queueIds(admin.get("/reviews").body())).doesNotContainAnyElementsOf(held);
        assertThat(queueIds(admin.get("/reviews?status=rejected&limit=1000").body())).containsAll(held);
        assertThat(balance(alice, "fq-payee")).isEqualByComparingTo("0.00");
    }

    /** With a 3 s review time-out and nobody deciding, the bank's default (REJECTED) applies on its own. */
    @Test
    void aReviewNobodyDecidesEndsWithTheDefault() throws Exception {
        try (BankSystem expiring = BankSystem.start(expiringStateDir, Map.of("BANK_FRAUD_REVIEW_TIMEOUT", "PT3S"), 1)) {
            Http alice = expiring.http();
            Http admin = expiring.admin();
            assertThat(alice.post("/accounts", "{\"accountId\":\"ex-alice\",\"currency\":\"EUR\","
                    + "\"initialDeposit\":\"5000\"}", "open-ex-alice").status()).isEqualTo(201);
            assertThat(alice.post("/accounts", "{\"accountId\":\"ex-bob\",\"currency\":\"EUR\"}", "open-ex-bob")
                    .status()).isEqualTo(201);
            var held = alice.post("/transfers", "{\"fromAccountId\":\"ex-alice\",\"toAccountId\":\"ex-bob\","
                    + "\"amount\":\"2500.00\"}", "ex-pay-1");
            assertThat(held.status()).as(held.body().toString()).isEqualTo(202);
            String location = held.raw().headers().firstValue("Location").orElseThrow();

            // nobody decides: within the time-out and the next expiry check (every 5 s), the default applies
            var refused = awaitStatus(alice, location, s -> s != 202);
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.text("reason")).isEqualTo("FRAUD_SUSPECTED");
            assertThat(refused.text("transferStatus")).isEqualTo("REJECTED");
            JsonNode review = admin.get("/accounts/ex-alice/reviews/ex-pay-1").body();
            assertThat(review.get("reviewStatus").asText()).isEqualTo("EXPIRED");
            assertThat(review.get("resolution").asText()).isEqualTo("REJECTED");
            assertThat(review.has("decidedBy")).isFalse();
            assertThat(java.time.Instant.parse(review.get("deadline").asText()))
                    .isEqualTo(java.time.Instant.parse(review.get("createdAt").asText()).plusSeconds(3));
            assertThat(alice.get("/accounts/ex-alice/holds/ex-pay-1").text("holdStatus")).isEqualTo("EXPIRED");
            assertBalance(alice, "ex-alice", "5000.00", "5000.00", "0.00");
            assertThat(balance(alice, "ex-bob")).isEqualByComparingTo("0.00");
            assertThat(queueIds(admin.get("/reviews").body())).doesNotContain("ex-pay-1");
            var tooLate = admin.post("/accounts/ex-alice/reviews/ex-pay-1/approve", "", "ex-approve-1");
            assertThat(tooLate.status()).isEqualTo(409);
            assertThat(tooLate.text("reason")).isEqualTo("REVIEW_NOT_PENDING");
            assertThat(tooLate.text("detail")).contains("EXPIRED");

            Map<String, List<FraudAlert>> alerts = alerts(expiring, List.of("ex-pay-1"), 2);
            assertThat(alerts.get("ex-pay-1")).extracting(FraudAlert::reviewStatus)
                    .containsExactly(ReviewStatus.PENDING, ReviewStatus.EXPIRED);
            FraudAlert expired = alerts.get("ex-pay-1").get(1);
            assertThat(expired.resolution()).isEqualTo(ReviewStatus.REJECTED);
            assertThat(expired.decidedBy()).isNull();
            assertThat(expired.findings()).extracting(FraudFinding::rule).containsExactly(FraudRule.NEW_PAYEE);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static JsonNode reviewIn(JsonNode list, String reviewId) {
        for (JsonNode r : list.get("reviews")) {
            if (r.get("reviewId").asText().equals(reviewId)) return r;
        }
        throw new AssertionError("no review " + reviewId + " in " + list);
    }

    private static List<String> queueIds(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.get("reviews").forEach(r -> ids.add(r.get("reviewId").asText()));
        return ids;
    }

    private static BigDecimal balance(Http http, String accountId) {
        return http.get("/balance/" + accountId).body().get("balance").decimalValue();
    }

    private static void assertBalance(Http http, String accountId, String balance, String available, String held) {
        JsonNode b = http.get("/balance/" + accountId).body();
        assertThat(b.get("balance").decimalValue()).as("balance of " + accountId).isEqualByComparingTo(balance);
        assertThat(b.get("available").decimalValue()).as("available on " + accountId).isEqualByComparingTo(available);
        assertThat(b.get("held").decimalValue()).as("held on " + accountId).isEqualByComparingTo(held);
    }

    /** Polls {@code path} until its status passes {@code done} (30 s at most) and returns that answer. */
    private static Http.Response awaitStatus(Http http, String path, Predicate<Integer> done) {
        List<Http.Response> last = new ArrayList<>(1);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Http.Response r = http.get(path);
            last.clear();
            last.add(r);
            return done.test(r.status());
        });
        return last.get(0);
    }

    /** The fraud alerts of these payments, read from the topic by a consumer of its own, by transactionId. */
    private static Map<String, List<FraudAlert>> alerts(BankSystem system, List<String> transactionIds, int expected) {
        var topic = Topics.defaults().fraudAlertsTopic();
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readUntil(system.bootstrapServers(), topic.name(),
                read -> read.stream().map(r -> topic.deserialize(r.value()))
                        .filter(a -> transactionIds.contains(a.transactionId())).count() >= expected);
        Map<String, List<FraudAlert>> byPayment = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            FraudAlert alert = topic.deserialize(r.value());
            if (!transactionIds.contains(alert.transactionId())) continue;
            assertThat(r.key()).as("alerts are keyed by account").isEqualTo(alert.accountId());
            byPayment.computeIfAbsent(alert.transactionId(), id -> new ArrayList<>()).add(alert);
        }
        assertThat(byPayment.values().stream().mapToInt(List::size).sum()).as("alerts, no more")
                .isEqualTo(expected);
        return byPayment;
    }
}
