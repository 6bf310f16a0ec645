package dev.bank.processor.topology;

import dev.bank.processor.fraud.FraudProfile;
import dev.bank.processor.fraud.FraudRulesEngine;
import dev.bank.processor.fraud.FraudRulesEngine.Payment;
import dev.bank.processor.fraud.FraudRulesEngine.Verdict;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.FxPositions;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Money;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.TransferStatus;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Currency;

/**
 * Fraud detection in the account's own task, before the money moves: every debit and transfer the account logic
 * would apply is checked by the {@link FraudRulesEngine} against the account's {@link FraudProfile}, in the same
 * Kafka transaction as everything else the command does, with no repartition and no call out.
 *
 * <ul>
 *   <li><b>ALLOW</b>: applied as usual; the payment then joins the profile ({@link #observe}).</li>
 *   <li><b>DECLINE</b>: refused, {@link RejectionReason#FRAUD_SUSPECTED}; nothing is applied.</li>
 *   <li><b>REVIEW</b>: the amount is held (a hold under the payment's transactionId, expiring at the review's
 *       deadline) and the outcome is {@link OutcomeStatus#IN_REVIEW}. An admin approves (the hold is released and the
 *       payment applied as it was sent, unchecked, by the approval's record time) or rejects it (the hold is
 *       released, the payment refused); when the hold's expiry comes first, the configured default is applied. The
 *       payment's final outcome replaces IN_REVIEW under its transactionId, so its polling URL and a retry see it.</li>
 * </ul>
 * Every REVIEW and DECLINE, and every end of a review, is a {@link FraudAlert} on the alerts topic. Decisions depend
 * only on the stores and record times, so reprocessing decides the same.
 */
final class FraudDesk {
    private static final Logger log = LoggerFactory.getLogger(FraudDesk.class);
    /** The reference of a review's hold, as the account's hold list shows it. */
    static final String REVIEW_HOLD_REFERENCE = "fraud review";
    /** What a customer is told; never which rule or threshold. */
    static final String DECLINED = "the payment was declined: it does not look like this account's usual activity;"
            + " contact the bank if it is genuine";
    static final String REJECTED_AFTER_REVIEW = "the payment was refused after a fraud review";
    static final String UNDER_REVIEW = "the payment is held for a fraud review: its amount is reserved until the bank"
            + " decides; poll the transaction for the outcome";

    private final AccountLogic logic;
    private final FraudRulesEngine engine;
    private final KeyValueStore<String, FraudProfile> profiles;
    private final KeyValueStore<String, FraudReview> reviews;
    private final KeyValueStore<String, Hold> holds;
    private final KeyValueStore<String, dev.bank.schemas.ProcessedCommand> processed;
    private final DecisionWriter writer;
    private final TopologyMetrics metrics;

    FraudDesk(AccountLogic logic, FraudRulesEngine engine, TaskStores stores, DecisionWriter writer,
              TopologyMetrics metrics) {
        this.logic = logic;
        this.engine = engine;
        this.profiles = stores.fraudProfiles();
        this.reviews = stores.fraudReviews();
        this.holds = stores.holds();
        this.processed = stores.processed();
        this.writer = writer;
        this.metrics = metrics;
    }

    private boolean enabled() {
        return engine.config().enabled();
    }

    /**
     * The decision to commit for a command the account logic decided as {@code proposed}: the same, unless the
     * command is a debit or transfer the logic would apply and the rules decline it or send it to review.
     */
    Decision screen(Account account, Command command, Decision proposed, Record<String, byte[]> cause) {
        if (!enabled() || (command.type() != CommandType.DEBIT && command.type() != CommandType.TRANSFER)) {
            return proposed;
        }
        Outcome o = proposed.outcome();
        // a payment the logic refuses anyway is refused for its own reason; only one it would apply is checked
        if (o == null || (o.status() != OutcomeStatus.ACCEPTED && o.status() != OutcomeStatus.PENDING)
                || o.amountMinor() == null || FxPositions.reserved(account.accountId())) {
            return proposed;
        }
        long amount = o.amountMinor();
        Currency currency = Currency.getInstance(account.currency());
        long at = cause.timestamp();
        Verdict verdict = engine.evaluate(profile(account.accountId()), new Payment(amount, currency,
                command.type() == CommandType.TRANSFER ? command.toAccountId() : null, at,
                account.outflowOn(logic.interest().businessDate(at))));
        metrics.fraudDecision(verdict);
        if (verdict.decision() == FraudDecision.ALLOW) return proposed;
        if (verdict.decision() == FraudDecision.REVIEW && account.activeHolds() < Account.MAX_ACTIVE_HOLDS) {
            return review(account, command, amount, verdict, cause);
        }
        alert(account.accountId(), command, FraudDecision.DECLINE, null, null, verdict.score(), verdict, amount,
                account.currency(), null, at, cause);
        log.warn("fraud: declined accountId={} transactionId={} score={} rules={}", account.accountId(),
                command.transactionId(), verdict.score(), rules(verdict));
        Outcome declined = refusal(command, account, amount, DECLINED, at);
        return new Decision(null, declined, null);
    }

    private Decision review(Account account, Command command, long amount, Verdict verdict,
                            Record<String, byte[]> cause) {
        long at = cause.timestamp();
        long deadline = saturatedAdd(at, engine.config().reviewTimeout().toMillis());
        Hold hold = new Hold(command.transactionId(), account.accountId(), amount, 0, account.currency(),
                REVIEW_HOLD_REFERENCE, HoldStatus.ACTIVE, deadline, at, null);
        Account held = account.withHeld(account.heldMinor() + amount, 1).withHoldExpiring(deadline);
        Outcome inReview = new Outcome(command.transactionId(), account.accountId(), command.type(),
                OutcomeStatus.IN_REVIEW, null, UNDER_REVIEW, amount, held.balanceMinor(), held.currency(),
                held.sequence(), false, at, command.toAccountId(), null).about(hold, held.availableMinor())
                .by(command.principal());
        FraudReview opened = new FraudReview(account.accountId(), command.transactionId(), command, amount,
                account.currency(), verdict.score(), verdict.findings(), ReviewStatus.PENDING, at, deadline, null,
                null, null);
        reviews.put(key(account.accountId(), command.transactionId()), opened);
        alert(account.accountId(), command, FraudDecision.REVIEW, ReviewStatus.PENDING, null, verdict.score(), verdict,
                amount, account.currency(), null, at, cause);
        log.warn("fraud: held for review accountId={} transactionId={} score={} rules={}", account.accountId(),
                command.transactionId(), verdict.score(), rules(verdict));
        return new Decision(held, inReview, null, null, null, hold);
    }

    /** The payment a committed decision made joins the account's profile: an outflow, or money in. */
    void observe(Decision committed, long at) {
        if (!enabled()) return;
        LedgerEntry entry = committed.entry();
        if (entry == null || FxPositions.reserved(entry.accountId())) return;
        EntryType type = entry.type();
        boolean out = type == EntryType.DEBIT || type == EntryType.TRANSFER_OUT;
        boolean in = type == EntryType.CREDIT || type == EntryType.TRANSFER_IN || type == EntryType.OPENING_DEPOSIT;
        if (!out && !in) return;
        FraudProfile profile = profile(entry.accountId());
        profiles.put(entry.accountId(), out
                ? profile.withOutflow(at, entry.amountMinor(),
                        type == EntryType.TRANSFER_OUT ? entry.counterpartyAccountId() : null)
                : profile.withInflow(at, entry.amountMinor()));
    }

    /** SET_FRAUD_RULES: an admin's thresholds for the account, each checked in its currency; replaces the last. */
    Decision setRules(Account account, Command command, long at) {
        Outcome refused = adminRefusal(account, command, at);
        if (refused != null) return new Decision(null, refused, null);
        FraudRules rules = command.fraudRules() == null ? FraudRules.DEFAULTS : command.fraudRules();
        Currency currency = Currency.getInstance(account.currency());
        try {
            for (String amount : new String[] {rules.dailyOutflowCap(), rules.newPayeeAmount(),
                    rules.structuringThreshold()}) {
                if (amount != null && Money.parseDecimal(amount).signum() != 0) Money.toMinor(amount, currency, null);
            }
        } catch (Money.InvalidAmountException e) {
            return new Decision(null, refusal(command, account, null, RejectionReason.INVALID_AMOUNT,
                    e.getMessage(), at), null);
        }
        profiles.put(account.accountId(), profile(account.accountId()).withRules(rules));
        log.info("fraud rules set accountId={} rules={}", account.accountId(), rules);
        return new Decision(null, accepted(command, account, null, at), null);
    }

    /** APPROVE_REVIEW or REJECT_REVIEW: an admin ends a pending review. */
    Decision decide(Account account, Command command, Record<String, byte[]> cause) {
        long at = cause.timestamp();
        Outcome refused = adminRefusal(account, command, at);
        if (refused != null) return new Decision(null, refused, null);
        FraudReview review = reviews.get(key(account.accountId(), command.reviewId()));
        if (review == null) {
            return new Decision(null, refusal(command, account, null, RejectionReason.REVIEW_NOT_FOUND,
                    "account " + account.accountId() + " has no fraud review " + command.reviewId(), at), null);
        }
        if (review.status() != ReviewStatus.PENDING) {
            return new Decision(null, refusal(command, account, review.amountMinor(),
                    RejectionReason.REVIEW_NOT_PENDING, "fraud review " + review.transactionId() + " was already "
                            + review.status() + (review.status() == ReviewStatus.EXPIRED
                            ? " (" + review.resolution() + ")" : ""), at), null);
        }
        boolean approve = command.type() == CommandType.APPROVE_REVIEW;
        Account after = resolve(account, review, approve ? ReviewStatus.APPROVED : ReviewStatus.REJECTED, approve,
                command.principal() == null ? "system" : command.principal(), HoldStatus.VOIDED, cause);
        return new Decision(null, accepted(command, after, review.amountMinor(), at), null);
    }

    /** A pending review whose hold this is, or null: its hold is not the customer's to capture or void. */
    FraudReview pendingReviewHolding(String accountId, String holdId) {
        FraudReview review = reviews.get(key(accountId, holdId));
        return review != null && review.status() == ReviewStatus.PENDING ? review : null;
    }

    /** A review's hold expired before anyone decided: the configured default applies. */
    Account expire(Account account, FraudReview review, Record<String, byte[]> cause) {
        boolean approve = engine.config().reviewDefault() == ReviewStatus.APPROVED;
        return resolve(account, review, ReviewStatus.EXPIRED, approve, null, HoldStatus.EXPIRED, cause);
    }

    /**
     * Ends a review: releases its hold, then applies the payment (approved) or refuses it, and replaces its remembered
     * IN_REVIEW outcome with the final one. What the payment causes is written without the request id of the record
     * that ended the review (no one waits for it there: the payment's own request was answered 202 long ago).
     *
     * @return the account afterwards
     */
    private Account resolve(Account account, FraudReview review, ReviewStatus status, boolean approve, String by,
                            HoldStatus holdEnd, Record<String, byte[]> cause) {
        long at = cause.timestamp();
        Record<String, byte[]> detached = cause.withHeaders(new RecordHeaders());
        Account current = account;
        String key = key(account.accountId(), review.transactionId());
        Hold hold = holds.get(key);
        if (hold != null && hold.status() == HoldStatus.ACTIVE) {
            Decision release = logic.release(current, hold, holdEnd, at);
            writer.commit(release, detached);
            current = release.newState();
        }
        Command payment = review.command();
        Outcome last;
        if (approve) {
            Decision applied = logic.apply(current, payment, at);
            writer.commit(applied, detached);
            if (applied.newState() != null) current = applied.newState();
            observe(applied, at);
            last = applied.outcome();
        } else {
            last = refusal(payment, current, review.amountMinor(), REJECTED_AFTER_REVIEW, at);
            writer.publish(last, detached);
        }
        processed.put(key, new dev.bank.schemas.ProcessedCommand(payment, last));
        FraudReview ended = review.ended(status, approve ? ReviewStatus.APPROVED : ReviewStatus.REJECTED, at, by);
        reviews.put(key, ended);
        metrics.reviewEnded(ended);
        alert(account.accountId(), payment, FraudDecision.REVIEW, status, ended.resolution(), review.score(),
                new Verdict(FraudDecision.REVIEW, review.score(), review.findings()), review.amountMinor(),
                review.currency(), by, at, cause);
        log.info("fraud review {} accountId={} transactionId={} resolution={} by={}", status, account.accountId(),
                review.transactionId(), ended.resolution(), by);
        return current;
    }

    private void alert(String accountId, Command command, FraudDecision decision, ReviewStatus status,
                       ReviewStatus resolution, int score, Verdict verdict, long amount, String currency,
                       String decidedBy, long at, Record<String, byte[]> cause) {
        writer.alert(new FraudAlert(accountId, command.transactionId(), command.type(), decision, status, resolution,
                score, verdict.findings(), amount, currency, command.toAccountId(), command.principal(), decidedBy, at),
                cause);
    }

    private FraudProfile profile(String accountId) {
        FraudProfile p = profiles.get(accountId);
        return p == null ? FraudProfile.EMPTY : p;
    }

    /** Only an admin (or a trusted system, which sends no principal) sets fraud rules or decides a review. */
    private static Outcome adminRefusal(Account account, Command command, long at) {
        if (account == null) {
            return refusal(command, null, null, RejectionReason.ACCOUNT_NOT_FOUND,
                    "account " + command.accountId() + " does not exist", at);
        }
        if (command.principal() != null && !command.asAdmin()) {
            return refusal(command, account, null, RejectionReason.INVALID_COMMAND,
                    "only an admin " + (command.type() == CommandType.SET_FRAUD_RULES ? "sets an account's fraud rules"
                            : "decides a fraud review"), at);
        }
        return null;
    }

    private static Outcome refusal(Command command, Account account, Long amount, String detail, long at) {
        return refusal(command, account, amount, RejectionReason.FRAUD_SUSPECTED, detail, at);
    }

    private static Outcome refusal(Command command, Account account, Long amount, RejectionReason reason,
                                   String detail, long at) {
        return AccountLogic.reject(account, command, at, reason, detail, amount).outcome().by(command.principal());
    }

    private static Outcome accepted(Command command, Account account, Long amount, long at) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.ACCEPTED, null,
                null, amount, account.balanceMinor(), account.currency(), account.sequence(), false, at)
                .by(command.principal());
    }

    private static String rules(Verdict verdict) {
        return verdict.findings().stream().map(f -> f.rule().name()).toList().toString();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    static String key(String accountId, String id) {
        return BankTopology.accountScopedKey(accountId, id);
    }
}
