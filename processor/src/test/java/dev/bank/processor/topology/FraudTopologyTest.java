package dev.bank.processor.topology;

import dev.bank.processor.config.FraudConfig;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.TransferStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fraud detection through the whole topology ({@link FraudDesk}), configured as production is, with the default
 * thresholds (docs/operations.md): each rule at its boundary, DECLINE, REVIEW ended by an approval, a rejection and its
 * deadline (also after a restart), the review's hold out of the customer's reach, and the same decisions on a replay.
 */
class FraudTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-03T08:00:00Z");

    @TempDir
    Path stateDir;

    private ProcessorConfig config;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;
    private TestOutputTopic<String, FraudAlert> alerts;
    private Instant wallClock;
    private int ids;
    private SimpleMeterRegistry meters;

    private void start(FraudConfig fraud, Instant at) {
        start(ONE_PARTITION, fraud, at);
    }

    private void start(Map<String, String> env, FraudConfig fraud, Instant at) {
        config = ProcessorConfig.fromEnv(env).withStateDir(stateDir).withFraud(fraud);
        wallClock = at;
        meters = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(BankTopology.build(config, meters), config.streamsProperties(), at);
        commands = driver.createInputTopic(config.topics().commands(), new StringSerializer(),
                new ByteArraySerializer());
        results = driver.createOutputTopic(config.topics().results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(config.topics().ledger(), new StringDeserializer(), LEDGER.valueSerde());
        alerts = driver.createOutputTopic(config.topics().fraudAlerts(), new StringDeserializer(),
                config.topics().fraudAlertsTopic().valueSerde());
    }

    private void start() {
        start(FraudConfig.defaults(), T0);
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
    }

    /** Sends a command at {@code at}; the outcomes it caused, in order (a decided review causes two). */
    private List<Outcome> sendAll(Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
        return results.readValuesToList();
    }

    private Outcome send(Command command, Instant at) {
        List<Outcome> outcomes = sendAll(command, at);
        assertThat(outcomes).as(command.type() + " " + command.transactionId()).hasSize(1);
        return outcomes.get(0);
    }

    private String id(String prefix) {
        return prefix + "-" + (++ids);
    }

    private Outcome debit(String account, String amount, Instant at) {
        return send(Command.debit(id("d"), account, amount), at);
    }

    private Outcome open(String account, String deposit, Instant at) {
        Outcome opened = send(Command.open(id("open"), account, "EUR", deposit), at);
        assertThat(opened.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        return opened;
    }

    private Account account(String id) {
        KeyValueStore<String, Account> store = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        return store.get(id);
    }

    private Hold hold(String accountId, String holdId) {
        KeyValueStore<String, Hold> store = driver.getKeyValueStore(BankTopology.HOLDS_STORE);
        return store.get(BankTopology.accountScopedKey(accountId, holdId));
    }

    private FraudReview review(String accountId, String id) {
        KeyValueStore<String, FraudReview> store = driver.getKeyValueStore(BankTopology.FRAUD_REVIEWS_STORE);
        return store.get(BankTopology.accountScopedKey(accountId, id));
    }

    private Outcome remembered(String accountId, String transactionId) {
        KeyValueStore<String, ProcessedCommand> store = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
        return store.get(BankTopology.accountScopedKey(accountId, transactionId)).outcome();
    }

    private void wallClockTo(Instant to) {
        driver.advanceWallClockTime(Duration.between(wallClock, to));
        wallClock = to;
    }

    private static Command admin(Command c) {
        return c.by("admin-1", true);
    }

    private static List<FraudRule> rules(FraudAlert alert) {
        return alert.findings().stream().map(FraudFinding::rule).toList();
    }

    private static Instant minutes(long m) {
        return T0.plus(Duration.ofMinutes(m));
    }

    // ---- each rule at its boundary, with the bank's default thresholds ----

    @Nested
    class EachRuleAtItsBoundary {

        @Test
        void velocityAllowsEightPaymentsInTenMinutesAndHoldsTheNinthForReview() {
            start();
            open("acc-v", "1000", T0);
            for (int i = 0; i < 8; i++) {
                assertThat(debit("acc-v", "10", T0.plusSeconds(10 + i)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            }
            Outcome ninth = debit("acc-v", "10", T0.plusSeconds(20));
            assertThat(ninth.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(rules(alerts.readValuesToList().get(0))).containsExactly(FraudRule.VELOCITY);
            // ten minutes after the first, the window has moved on: one payment has left it
            assertThat(debit("acc-v", "10", T0.plusSeconds(10).plus(Duration.ofMinutes(10))).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
        }

        @Test
        void largeAmountAllowsTenTimesTheMedianAndReviewsAMinorUnitMore() {
            start();
            open("acc-l", "5000", T0);
            for (int i = 0; i < 5; i++) debit("acc-l", "60", minutes(20L * (i + 1)));
            assertThat(debit("acc-l", "600", minutes(200)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            Outcome large = debit("acc-l", "600.01", minutes(220));
            assertThat(large.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            FraudAlert alert = alerts.readValuesToList().get(0);
            assertThat(rules(alert)).containsExactly(FraudRule.LARGE_AMOUNT);
            assertThat(alert.findings().get(0).evidence()).containsEntry("medianOutflow", "60.00")
                    .containsEntry("factor", "10");
        }

        @Test
        void largeAmountNeedsFiveOutflowsOfHistoryAndAnAmountOfAtLeastFiveHundred() {
            start();
            open("acc-n", "5000", T0);
            for (int i = 0; i < 4; i++) debit("acc-n", "1", minutes(20L * (i + 1)));
            assertThat(debit("acc-n", "400", minutes(100)).status()).as("four outflows are no history")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-n", "499.99", minutes(120)).status()).as("under the minimum")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(alerts.readValuesToList()).isEmpty();
        }

        @Test
        void dailyOutflowAllowsTheCapAndReviewsAMinorUnitAbove() {
            start();
            open("acc-c", "30000", T0);
            assertThat(debit("acc-c", "1500", minutes(1)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-c", "18500", minutes(60)).status()).as("20000 today: at the cap")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-c", "0.01", minutes(120)).status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(rules(alerts.readValuesToList().get(0))).containsExactly(FraudRule.DAILY_OUTFLOW);
            // the next business day starts from nothing
            assertThat(debit("acc-c", "5", T0.plus(Duration.ofDays(1))).status()).isEqualTo(OutcomeStatus.ACCEPTED);
        }

        @Test
        void newPayeeReviewsAFirstTransferFromTheThresholdButNotOneToAKnownPayee() {
            start();
            open("acc-p", "10000", T0);
            open("acc-q", null, T0);
            open("acc-r", null, T0);
            assertThat(send(Command.transfer(id("t"), "acc-p", "acc-q", "1999.99", null), minutes(1)).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(send(Command.transfer(id("t"), "acc-p", "acc-q", "3000", null), minutes(30)).status())
                    .as("acc-q is known now").isEqualTo(OutcomeStatus.ACCEPTED);
            Outcome first = send(Command.transfer(id("t"), "acc-p", "acc-r", "2000", null), minutes(60));
            assertThat(first.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(rules(alerts.readValuesToList().get(0))).containsExactly(FraudRule.NEW_PAYEE);
        }

        @Test
        void muleReviewsEightyPercentOfWhatCameInLeavingWithinTheHour() {
            start();
            open("acc-m", null, T0);
            open("acc-x", null, T0);
            send(Command.credit(id("c"), "acc-m", "1000"), minutes(1));
            assertThat(send(Command.transfer(id("t"), "acc-m", "acc-x", "500", null), minutes(2)).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-m", "299.99", minutes(3)).status()).as("79.999%").isEqualTo(OutcomeStatus.ACCEPTED);
            Outcome passedOn = debit("acc-m", "0.01", minutes(4));
            assertThat(passedOn.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            FraudAlert alert = alerts.readValuesToList().get(0);
            assertThat(rules(alert)).containsExactly(FraudRule.MULE);
            assertThat(alert.findings().get(0).evidence()).containsEntry("inflow", "1000.00")
                    .containsEntry("outflow", "800.00");
        }

        @Test
        void muleIgnoresMoneyThatCameInMoreThanAnHourAgoAndSmallSums() {
            start();
            open("acc-o", null, T0);
            send(Command.credit(id("c"), "acc-o", "5000"), minutes(1));
            send(Command.credit(id("c"), "acc-o", "999.99"), minutes(62));
            assertThat(debit("acc-o", "999.99", minutes(63)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(alerts.readValuesToList()).isEmpty();
        }

        @Test
        void structuringReviewsTheThirdPaymentJustUnderTenThousandWithinADay() {
            start();
            open("acc-s", "60000", T0);
            // a cap of its own, so that the days' outflows do not trigger the daily rule as well
            send(admin(Command.setFraudRules(id("r"), "acc-s", new FraudRules(null, null, null, "1000000", null,
                    null))), T0);
            Instant evening = T0.plus(Duration.ofHours(12));
            assertThat(debit("acc-s", "9000", evening).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-s", "9500", evening.plus(Duration.ofHours(1))).status()).as("two so far")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-s", "10000", evening.plus(Duration.ofHours(2))).status()).as("at the threshold")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-s", "8999.99", evening.plus(Duration.ofHours(3))).status()).as("under the band")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            Outcome third = debit("acc-s", "9999.99", evening.plus(Duration.ofHours(4)));
            assertThat(third.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            FraudAlert alert = alerts.readValuesToList().get(0);
            assertThat(rules(alert)).containsExactly(FraudRule.STRUCTURING);
            assertThat(alert.findings().get(0).evidence()).containsEntry("count", "3");
            // a day after the first two, they have left the window
            assertThat(debit("acc-s", "9999.99", evening.plus(Duration.ofHours(25))).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
        }

        @Test
        void anAdminsOwnThresholdsReplaceTheDefaultsForOneAccountAndCanExemptIt() {
            start();
            open("acc-o1", "1000", T0);
            open("acc-o2", "1000", T0);
            Outcome set = send(admin(Command.setFraudRules(id("r"), "acc-o1",
                    new FraudRules(null, null, null, "100", null, null))), minutes(1));
            assertThat(set.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-o1", "100", minutes(2)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(debit("acc-o1", "0.01", minutes(3)).status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(debit("acc-o2", "100.01", minutes(3)).status()).as("another account keeps the defaults")
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            // a cap of zero is a cap too: every payment of the account is reviewed
            send(admin(Command.setFraudRules(id("r"), "acc-o2", new FraudRules(null, null, null, "0", null, null))),
                    minutes(3));
            assertThat(debit("acc-o2", "0.01", minutes(4)).status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            // exempt: nothing is checked
            send(admin(Command.setFraudRules(id("r"), "acc-o1", new FraudRules(false, null, null, null, null,
                    null))), minutes(4));
            assertThat(debit("acc-o1", "500", minutes(5)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            // a threshold finer than the currency is refused, and a customer sets none
            assertThat(send(admin(Command.setFraudRules(id("r"), "acc-o1",
                    new FraudRules(null, null, null, "100.001", null, null))), minutes(6)).reason())
                    .isEqualTo(RejectionReason.INVALID_AMOUNT);
            send(Command.open(id("open"), "acc-own", "EUR", "10").by("alice", false), minutes(6));
            Outcome bySelf = send(Command.setFraudRules(id("r"), "acc-own", new FraudRules(false, null, null, null,
                    null, null)).by("alice", false), minutes(7));
            assertThat(bySelf.reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
            assertThat(bySelf.detail()).contains("only an admin");
        }
    }

    // ---- decisions ----

    @Test
    void twoRulesAtOnceDeclineThePaymentWithoutSayingWhyAndNothingMoves() {
        start();
        open("acc-d", "30000", T0);
        open("acc-e", null, T0);
        // a first transfer of 25000 to a new payee: above the new payee threshold and today's cap
        Outcome declined = send(Command.transfer(id("t"), "acc-d", "acc-e", "25000", "invoice 7"), minutes(90));
        assertThat(declined.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(declined.reason()).isEqualTo(RejectionReason.FRAUD_SUSPECTED);
        assertThat(declined.transferStatus()).isEqualTo(TransferStatus.REJECTED);
        assertThat(declined.detail()).isEqualTo(FraudDesk.DECLINED).doesNotContainPattern("[0-9]");
        assertThat(declined.balanceMinor()).isEqualTo(3_000_000L);
        assertThat(account("acc-d").balanceMinor()).isEqualTo(3_000_000L);
        assertThat(account("acc-d").heldMinor()).isZero();
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type).containsExactly(EntryType.OPENING_DEPOSIT);
        FraudAlert alert = alerts.readValuesToList().get(0);
        assertThat(alert.decision()).isEqualTo(FraudDecision.DECLINE);
        assertThat(alert.reviewStatus()).isNull();
        assertThat(rules(alert)).containsExactly(FraudRule.DAILY_OUTFLOW, FraudRule.NEW_PAYEE);
        assertThat(alert.score()).isEqualTo(110);
        assertThat(alert.amountMinor()).isEqualTo(2_500_000L);
        assertThat(alert.toAccountId()).isEqualTo("acc-e");
        // operators count the decision and each rule behind it
        assertThat(meters.get("bank.fraud.decisions").tag("decision", "DECLINE").counter().count()).isEqualTo(1);
        assertThat(meters.get("bank.fraud.rule.hits").tag("rule", "NEW_PAYEE").tag("decision", "DECLINE").counter()
                .count()).isEqualTo(1);
        assertThat(meters.get("bank.fraud.rule.hits").tag("rule", "DAILY_OUTFLOW").tag("decision", "DECLINE")
                .counter().count()).isEqualTo(1);
        // a retry gets the same refusal
        Outcome retry = send(Command.transfer(declined.transactionId(), "acc-d", "acc-e", "25000", "invoice 7"),
                minutes(91));
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.reason()).isEqualTo(RejectionReason.FRAUD_SUSPECTED);
    }

    @Test
    void aPaymentTheLogicRefusesAnywayIsRefusedForItsOwnReasonUnchecked() {
        start();
        open("acc-f", "10", T0);
        Outcome refused = debit("acc-f", "25000", minutes(1));
        assertThat(refused.reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        assertThat(alerts.readValuesToList()).isEmpty();
    }

    /**
     * Opens acc-r with 30000 and sends a 25000 debit over today's cap, at {@code at} (more than an hour after the
     * opening deposit, or it would also be money straight out again): held for review.
     */
    private Outcome reviewedDebit(Instant at) {
        open("acc-r", "30000", T0);
        Outcome held = send(Command.debit("pay-1", "acc-r", "25000"), at);
        assertThat(held.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
        return held;
    }

    @Nested
    class Review {

        @Test
        void holdsTheAmountUntilAnAdminApprovesThenAppliesThePaymentAsSent() {
            start();
            Outcome held = reviewedDebit(minutes(90));
            // the amount is reserved: the balance stays, the available balance drops
            assertThat(held.balanceMinor()).isEqualTo(3_000_000L);
            assertThat(held.availableMinor()).isEqualTo(500_000L);
            assertThat(held.holdId()).isEqualTo("pay-1");
            assertThat(held.detail()).isEqualTo(FraudDesk.UNDER_REVIEW);
            assertThat(hold("acc-r", "pay-1").reference()).isEqualTo(FraudDesk.REVIEW_HOLD_REFERENCE);
            FraudAlert opened = alerts.readValuesToList().get(0);
            assertThat(opened.reviewStatus()).isEqualTo(ReviewStatus.PENDING);
            ledger.readValuesToList();
            // a retry is answered IN_REVIEW again, and nothing else leaves meanwhile beyond what is available
            assertThat(send(Command.debit("pay-1", "acc-r", "25000"), minutes(102)).status())
                    .isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(debit("acc-r", "5000.01", minutes(103)).reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);

            // When an admin approves
            List<Outcome> outcomes = sendAll(admin(Command.decideReview("ap-1", "acc-r", "pay-1", true)),
                    minutes(130));

            // Then the payment is applied at the approval's time, its final outcome replacing IN_REVIEW
            assertThat(outcomes).extracting(Outcome::transactionId).containsExactly("pay-1", "ap-1");
            assertThat(outcomes.get(0).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(outcomes.get(0).timestamp()).isEqualTo(minutes(130).toEpochMilli());
            assertThat(outcomes.get(1).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(account("acc-r").balanceMinor()).isEqualTo(500_000L);
            assertThat(account("acc-r").heldMinor()).isZero();
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::transactionId, LedgerEntry::type)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("pay-1", EntryType.DEBIT));
            assertThat(hold("acc-r", "pay-1").status()).isEqualTo(HoldStatus.VOIDED);
            assertThat(remembered("acc-r", "pay-1").status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(review("acc-r", "pay-1").status()).isEqualTo(ReviewStatus.APPROVED);
            assertThat(review("acc-r", "pay-1").decidedBy()).isEqualTo("admin-1");
            FraudAlert ended = alerts.readValuesToList().get(0);
            assertThat(ended.reviewStatus()).isEqualTo(ReviewStatus.APPROVED);
            assertThat(ended.resolution()).isEqualTo(ReviewStatus.APPROVED);
            assertThat(ended.decidedBy()).isEqualTo("admin-1");
            // a retry of the payment now gets its final outcome; a second decision is refused
            Outcome retry = send(Command.debit("pay-1", "acc-r", "25000"), minutes(131));
            assertThat(retry.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(retry.replayed()).isTrue();
            assertThat(send(admin(Command.decideReview("ap-2", "acc-r", "pay-1", false)), minutes(132)).reason())
                    .isEqualTo(RejectionReason.REVIEW_NOT_PENDING);
            assertThat(send(admin(Command.decideReview("ap-3", "acc-r", "nope", false)), minutes(132)).reason())
                    .isEqualTo(RejectionReason.REVIEW_NOT_FOUND);
        }

        @Test
        void aPaymentUnderReviewIsRememberedForItsRetriesEvenWhenTheReviewOutlastsTheIdempotencyRetention() {
            // Given transactionIds remembered for an hour, and a review that waits a day
            Map<String, String> env = new java.util.HashMap<>(ONE_PARTITION);
            env.put("BANK_IDEMPOTENCY_RETENTION", "PT1H");
            start(env, FraudConfig.defaults(), T0);
            reviewedDebit(minutes(90));
            ledger.readValuesToList();
            // When the purge has run two hours on, and the customer retries the payment, still under review
            wallClockTo(minutes(210));
            List<Outcome> retried = sendAll(Command.debit("pay-1", "acc-r", "25000"), minutes(211));

            // Then the retry is answered IN_REVIEW, not taken as a new payment (a second review, or a second debit)
            assertThat(retried).hasSize(1);
            assertThat(retried.get(0).replayed()).isTrue();
            assertThat(retried.get(0).status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(account("acc-r").heldMinor()).isEqualTo(2_500_000L);
            // and an approval applies it once
            sendAll(admin(Command.decideReview("ap-1", "acc-r", "pay-1", true)), minutes(212));
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::transactionId).containsExactly("pay-1");
            assertThat(account("acc-r").heldMinor()).isZero();
            assertThat(account("acc-r").balanceMinor()).isEqualTo(500_000L);
        }

        @Test
        void aRejectionReleasesTheHoldAndRefusesThePayment() {
            start();
            reviewedDebit(minutes(90));
            ledger.readValuesToList();
            List<Outcome> outcomes = sendAll(admin(Command.decideReview("rj-1", "acc-r", "pay-1", false)),
                    minutes(95));
            assertThat(outcomes.get(0).transactionId()).isEqualTo("pay-1");
            assertThat(outcomes.get(0).reason()).isEqualTo(RejectionReason.FRAUD_SUSPECTED);
            assertThat(outcomes.get(0).detail()).isEqualTo(FraudDesk.REJECTED_AFTER_REVIEW);
            assertThat(account("acc-r").balanceMinor()).isEqualTo(3_000_000L);
            assertThat(account("acc-r").availableMinor()).isEqualTo(3_000_000L);
            assertThat(ledger.readValuesToList()).isEmpty();
            assertThat(remembered("acc-r", "pay-1").reason()).isEqualTo(RejectionReason.FRAUD_SUSPECTED);
            assertThat(review("acc-r", "pay-1").resolution()).isEqualTo(ReviewStatus.REJECTED);
            assertThat(meters.get("bank.fraud.reviews.ended").tag("rule", "DAILY_OUTFLOW").tag("status", "REJECTED")
                    .counter().count()).isEqualTo(1);
        }

        @Test
        void aTransferApprovedAfterReviewReachesItsDestination() {
            start();
            open("acc-t", "10000", T0);
            open("acc-u", null, T0);
            Outcome held = send(Command.transfer("tr-1", "acc-t", "acc-u", "2500", "rent"), minutes(1));
            assertThat(held.status()).isEqualTo(OutcomeStatus.IN_REVIEW);
            assertThat(held.toAccountId()).isEqualTo("acc-u");
            List<Outcome> outcomes = sendAll(admin(Command.decideReview("ap-t", "acc-t", "tr-1", true)),
                    minutes(2));
            Outcome done = outcomes.stream().filter(o -> o.transactionId().equals("tr-1")).findFirst().orElseThrow();
            assertThat(done.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(done.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(account("acc-u").balanceMinor()).isEqualTo(250_000L);
            assertThat(account("acc-t").balanceMinor()).isEqualTo(750_000L);
            assertThat(account("acc-t").heldMinor()).isZero();
            assertThat(remembered("acc-t", "tr-1").status()).isEqualTo(OutcomeStatus.ACCEPTED);
        }

        @Test
        void theCustomerCannotCaptureOrVoidTheReviewsHoldNorDecideIt() {
            start();
            send(Command.open("o-1", "acc-w", "EUR", "30000").by("alice", false), T0);
            assertThat(send(Command.debit("pay-w", "acc-w", "25000").by("alice", false), minutes(91)).status())
                    .isEqualTo(OutcomeStatus.IN_REVIEW);
            Outcome capture = send(Command.captureHold("c-1", "acc-w", "pay-w", null).by("alice", false), minutes(92));
            assertThat(capture.reason()).isEqualTo(RejectionReason.HOLD_NOT_ACTIVE);
            Outcome voided = send(Command.voidHold("v-1", "acc-w", "pay-w").by("alice", false), minutes(92));
            assertThat(voided.reason()).isEqualTo(RejectionReason.HOLD_NOT_ACTIVE);
            Outcome approve = send(Command.decideReview("a-1", "acc-w", "pay-w", true).by("alice", false), minutes(93));
            assertThat(approve.reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
            assertThat(review("acc-w", "pay-w").status()).isEqualTo(ReviewStatus.PENDING);
            assertThat(account("acc-w").heldMinor()).isEqualTo(2_500_000L);
        }

        @Test
        void anUndecidedReviewEndsWithTheDefaultAtItsDeadlineByTheWallClocksTick() {
            start();
            reviewedDebit(minutes(90));
            alerts.readValuesToList();
            // When a day passes with no command on the account: the expiry punctuation appends a tick, read back
            wallClockTo(minutes(90).plus(Duration.ofDays(1)).plusSeconds(10));
            driver.advanceWallClockTime(Duration.ZERO);
            // the tick is on the internal topic, which the driver feeds back to the topology
            List<Outcome> outcomes = results.readValuesToList();
            assertThat(outcomes).extracting(Outcome::transactionId).containsExactly("pay-1");
            assertThat(outcomes.get(0).reason()).isEqualTo(RejectionReason.FRAUD_SUSPECTED);
            assertThat(review("acc-r", "pay-1").status()).isEqualTo(ReviewStatus.EXPIRED);
            assertThat(review("acc-r", "pay-1").resolution()).isEqualTo(ReviewStatus.REJECTED);
            assertThat(hold("acc-r", "pay-1").status()).isEqualTo(HoldStatus.EXPIRED);
            assertThat(account("acc-r").availableMinor()).isEqualTo(3_000_000L);
            FraudAlert ended = alerts.readValuesToList().get(0);
            assertThat(ended.reviewStatus()).isEqualTo(ReviewStatus.EXPIRED);
            assertThat(ended.decidedBy()).isNull();
        }

        @Test
        void aBankThatApprovesByDefaultAppliesTheUndecidedPaymentAtTheFirstCommandPastItsDeadline() {
            start(FraudConfig.fromEnv(Map.of("BANK_FRAUD_REVIEW_DEFAULT", "APPROVED",
                    "BANK_FRAUD_REVIEW_TIMEOUT", "PT2H")), T0);
            reviewedDebit(minutes(90));
            ledger.readValuesToList();
            // the next command on the account, past the deadline, finds the review ended first
            List<Outcome> outcomes = sendAll(Command.credit("c-9", "acc-r", "1"), minutes(90).plus(Duration.ofHours(3)));
            assertThat(outcomes).extracting(Outcome::transactionId).containsExactly("pay-1", "c-9");
            assertThat(outcomes.get(0).status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type)
                    .containsExactly(EntryType.DEBIT, EntryType.CREDIT);
            assertThat(account("acc-r").balanceMinor()).isEqualTo(500_100L);
            assertThat(review("acc-r", "pay-1").status()).isEqualTo(ReviewStatus.EXPIRED);
            assertThat(review("acc-r", "pay-1").resolution()).isEqualTo(ReviewStatus.APPROVED);
        }
    }

    // ---- across a restart ----

    /** Every entry of every store, as its changelog would restore it into a new instance. */
    private Map<String, List<KeyValue<Object, Object>>> snapshot() {
        Map<String, List<KeyValue<Object, Object>>> stores = new LinkedHashMap<>();
        for (String name : driver.getAllStateStores().keySet()) {
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
            List<KeyValue<Object, Object>> entries = new ArrayList<>();
            try (KeyValueIterator<Object, Object> it = store.all()) {
                it.forEachRemaining(entries::add);
            }
            stores.put(name, entries);
        }
        return stores;
    }

    /** Stops the instance and starts a new one on the state the old one committed. */
    private void restart(FraudConfig fraud, Instant at) {
        Map<String, List<KeyValue<Object, Object>>> state = snapshot();
        driver.close();
        start(fraud, at);
        state.forEach((name, entries) -> {
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
            entries.forEach(e -> store.put(e.key, e.value));
        });
    }

    @Test
    void reviewsOpenedBeforeARestartAreApprovedRejectedAndExpiredAfterIt() {
        start();
        reviewedDebit(minutes(90));
        open("acc-r2", "30000", T0);
        assertThat(send(Command.debit("pay-2", "acc-r2", "25000"), minutes(92)).status())
                .isEqualTo(OutcomeStatus.IN_REVIEW);
        open("acc-r3", "30000", T0);
        assertThat(send(Command.debit("pay-3", "acc-r3", "25000"), minutes(93)).status())
                .isEqualTo(OutcomeStatus.IN_REVIEW);
        restart(FraudConfig.defaults(), minutes(100));
        assertThat(review("acc-r", "pay-1").status()).isEqualTo(ReviewStatus.PENDING);

        List<Outcome> rejected = sendAll(admin(Command.decideReview("rj-3", "acc-r3", "pay-3", false)), minutes(100));
        assertThat(rejected.get(0).reason()).isEqualTo(RejectionReason.FRAUD_SUSPECTED);
        assertThat(account("acc-r3").availableMinor()).isEqualTo(3_000_000L);

        List<Outcome> approved = sendAll(admin(Command.decideReview("ap-1", "acc-r", "pay-1", true)), minutes(101));
        assertThat(approved.get(0).status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(account("acc-r").balanceMinor()).isEqualTo(500_000L);

        wallClockTo(minutes(92).plus(Duration.ofDays(1)).plusSeconds(10));
        assertThat(results.readValuesToList()).extracting(Outcome::transactionId, Outcome::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("pay-2", RejectionReason.FRAUD_SUSPECTED));
        assertThat(review("acc-r2", "pay-2").status()).isEqualTo(ReviewStatus.EXPIRED);
        assertThat(account("acc-r2").availableMinor()).isEqualTo(3_000_000L);
    }

    // ---- determinism ----

    /** A mix of ordinary and suspicious activity on a few accounts, a few minutes apart. */
    private List<TestRecord<String, byte[]>> workload() {
        List<TestRecord<String, byte[]>> records = new ArrayList<>();
        java.util.Random random = new java.util.Random(42);
        String[] accounts = {"a1", "a2", "a3", "a4"};
        Instant at = T0;
        for (String a : accounts) records.add(record(Command.open("o-" + a, a, "EUR", "20000"), at));
        for (int i = 0; i < 300; i++) {
            at = at.plusSeconds(random.nextInt(400));
            String a = accounts[random.nextInt(accounts.length)];
            String amount = String.valueOf(1 + random.nextInt(random.nextInt(10) == 0 ? 12000 : 300));
            Command c = switch (random.nextInt(4)) {
                case 0 -> Command.credit("x" + i, a, amount);
                case 1 -> Command.debit("x" + i, a, amount);
                default -> Command.transfer("x" + i, a, accounts[(random.nextInt(3) + 1 + Arrays.asList(accounts)
                        .indexOf(a)) % accounts.length], amount, null);
            };
            records.add(record(c, at));
        }
        return records;
    }

    private static TestRecord<String, byte[]> record(Command c, Instant at) {
        return new TestRecord<>(c.accountId(), COMMANDS.serialize(c), at);
    }

    private record Run(List<Outcome> outcomes, List<FraudAlert> alerts) {}

    private Run run(List<TestRecord<String, byte[]>> records) {
        start();
        commands.pipeRecordList(records);
        Run run = new Run(results.readValuesToList(), alerts.readValuesToList());
        driver.close();
        driver = null;
        return run;
    }

    @Test
    void theSameActivityReplayedDecidesTheSame() {
        List<TestRecord<String, byte[]>> records = workload();
        Run first = run(records);
        Run second = run(records);
        assertThat(first.alerts()).as("the workload triggers the rules").isNotEmpty();
        assertThat(first.outcomes()).extracting(Outcome::status).contains(OutcomeStatus.IN_REVIEW);
        assertThat(second.outcomes()).isEqualTo(first.outcomes());
        assertThat(second.alerts()).isEqualTo(first.alerts());
    }
}
