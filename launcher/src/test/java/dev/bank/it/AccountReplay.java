package dev.bank.it;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.TransferStatus;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One account's history, replayed in the order its task decided it, from what the task published: its outcomes
 * (results topic), its postings (ledger) and its hold changes (holds topic), each in its own partition's order.
 * The three are merged without trusting timestamps: an outcome carries the account's posting sequence after it, so
 * it sits after posting {@code sequence} and before the next; an accepted hold command and its HoldEvent are one
 * decision, so the HoldEvent sits at its outcome. Only an expiry has no outcome: it happened somewhere between the
 * hold change before it and the one after it, so what is held is known as a range ({@code heldLow}: each expiry as
 * early as it can have been, {@code heldHigh}: as late), and each check uses the end of the range that makes it
 * sound.
 *
 * <p>A payment the fraud rules sent to review is replayed as the processor applies it: its IN_REVIEW outcome places a
 * hold (its HoldEvent sits there, as for PLACE_HOLD); the review ends once, by a decision (the hold VOIDED, with no
 * transactionId: the release is the decision's, not a customer command's) or at its deadline (EXPIRED, taken like any
 * expiry until the review's final outcome says exactly where it happened). Then the payment is applied at that point,
 * as sent (approved), or refused FRAUD_SUSPECTED (rejected): its final outcome comes right after the release, before
 * the decision's own outcome, except for an approved transfer, which answers when its legs are done, like any transfer.
 *
 * <p>Along the way it asserts what no order of decisions may break: money leaves (debit, transfer out, new hold)
 * only from an account that is not frozen and only while balance − held stays at or above −(overdraft limit in force
 * then); a refusal for funds or a freeze is one the account's state called for; a capture or void acts on an active
 * hold, a capture within what is left and before the expiry; every accepted hold command has its one HoldEvent, in
 * the same order; and every outcome states the balance the chain has at that point. Of reviews: only a debit or
 * transfer the account could pay goes to review or is declined; the review's hold reserves the payment until its
 * deadline (the configured timeout after the IN_REVIEW outcome) and is never captured or voided by a customer; each
 * review ends exactly once, by a decision before its deadline or at it, with the outcome the decision or the default
 * calls for; a decision is taken only on a pending review, refused REVIEW_NOT_PENDING only on an ended one and
 * REVIEW_NOT_FOUND only where no payment went to review.
 */
final class AccountReplay {
    /** The account as its history left it. */
    record Result(String accountId, long balance, long overdraftLimit, boolean frozen, long held,
                  Map<String, Hold> holds, boolean limitCutBelowUse, int overdrawnPostings, int creditedWhileFrozen) {

        List<Hold> activeHolds() {
            return holds.values().stream().filter(h -> h.status() == HoldStatus.ACTIVE).toList();
        }
    }

    /** The processors' review settings. */
    record ReviewSettings(long timeoutMillis, ReviewStatus byDefault) {}

    /** A payment held for review, from its IN_REVIEW outcome on. */
    private static final class Review {
        final Outcome inReview;
        final long deadline;
        /** How its hold ended: null while pending, VOIDED by a decision, EXPIRED at the deadline. */
        HoldEvent.Type end;
        /** The record time of its hold's release. */
        long endedAt;
        /** Its final outcome was replayed. */
        boolean answered;

        Review(Outcome inReview, long deadline) {
            this.inReview = inReview;
            this.deadline = deadline;
        }
    }

    private final String accountId;
    private final Map<String, Command> commands;
    private final ReviewSettings settings;
    /** The account's reviews by the payment's transactionId (which is also its hold's id). */
    private final Map<String, Review> reviews = new LinkedHashMap<>();
    /** A review a decision ended whose final outcome was replayed: the decision's own outcome comes next. */
    private Review decidedJustNow;
    private boolean decidedJustNowApproved;
    /** The EXPIRED events taken so far, by holdId. */
    private final Map<String, HoldEvent> expiries = new java.util.HashMap<>();
    private final List<LedgerEntry> entries;
    private final List<HoldEvent> events;
    private int posted;
    private int nextEvent;
    private long balance;
    private long limit;
    private long deepestLimit;
    private boolean frozen;
    private long heldLow;
    private long heldHigh;
    /** Released by expiries that may have come after what is being replayed (not yet in {@code heldHigh}). */
    private long releasedLate;
    /** Holds whose expiry may still be ahead of what is being replayed. */
    private final Set<String> mayNotHaveExpiredYet = new HashSet<>();
    private final Map<String, Hold> holds = new LinkedHashMap<>();
    private boolean limitCutBelowUse;
    private int overdrawn;
    private int creditedWhileFrozen;

    private AccountReplay(String accountId, Map<String, Command> commands, List<LedgerEntry> entries,
                          List<HoldEvent> events, ReviewSettings settings) {
        this.accountId = accountId;
        this.commands = commands;
        this.settings = settings;
        this.entries = entries;
        this.events = events;
    }

    /**
     * @param outcomes every outcome of the account that is not a retry's answer (a reviewed payment's IN_REVIEW and its
     *                 final one), in its partition's order
     * @param entries  its ledger entries in sequence order
     * @param events   its HoldEvents in its partition's order
     * @param commands every command sent, by {@code accountId/transactionId}
     * @param settings the review timeout and default the processors run with
     */
    static Result replay(String accountId, List<Outcome> outcomes, List<LedgerEntry> entries, List<HoldEvent> events,
                         Map<String, Command> commands, ReviewSettings settings) {
        AccountReplay r = new AccountReplay(accountId, commands, entries, events, settings);
        r.expiriesAfterAHoldChange();
        long lastSequence = 0;
        for (Outcome o : outcomes) {
            // a conflict restates the sequence of the outcome it conflicts with, not the account's; an outcome without
            // a balance (a stranger's, one for no account) tells nothing of the account
            if (o.reason() == RejectionReason.IDEMPOTENCY_CONFLICT || o.balanceMinor() == null) continue;
            assertThat(o.sequence()).as(r.at(o) + ": outcomes follow the postings in order").isGreaterThanOrEqualTo(lastSequence);
            lastSequence = o.sequence();
            // a review's hold is released before its payment is applied: before the postings up to this outcome
            r.reviewEndsAt(o);
            while (r.posted < entries.size() && entries.get(r.posted).sequence() <= o.sequence()) r.post(entries.get(r.posted));
            assertThat((long) r.posted).as(r.at(o) + ": postings before it").isEqualTo(o.sequence());
            assertThat(o.balanceMinor()).as(r.at(o) + ": balance it states").isEqualTo(r.balance);
            r.decide(o);
        }
        while (r.posted < entries.size()) r.post(entries.get(r.posted));
        assertThat(r.decidedJustNow).as(accountId + ": the decision that ended a review answered").isNull();
        r.reviews.forEach((id, review) -> assertThat(review.answered)
                .as(accountId + ": review of " + id + " ended with a final outcome").isTrue());
        r.heldHigh -= r.releasedLate;
        assertThat(r.nextEvent).as(accountId + ": every HoldEvent belongs to a command or is an expiry").isEqualTo(events.size());
        assertThat(r.heldLow).as(accountId + ": held once every expiry is in").isEqualTo(r.heldHigh);
        long active = r.holds.values().stream().mapToLong(Hold::remainingMinor).sum();
        assertThat(r.heldLow).as(accountId + ": held = what its active holds have left").isEqualTo(active);
        return new Result(accountId, r.balance, r.limit, r.frozen, r.heldLow, Map.copyOf(r.holds), r.limitCutBelowUse,
                r.overdrawn, r.creditedWhileFrozen);
    }

    private String at(Outcome o) {
        return accountId + " at " + o.type() + " " + o.transactionId() + " (" + o.status() + ", " + o.reason() + ")";
    }

    private void post(LedgerEntry e) {
        String at = accountId + " posting " + e.sequence() + " " + e.type() + " " + e.transactionId();
        assertThat(e.balanceBeforeMinor()).as(at + " chain").isEqualTo(balance);
        balance = e.balanceAfterMinor();
        posted++;
        if (e.type() == EntryType.DEBIT || e.type() == EntryType.TRANSFER_OUT) {
            assertThat(frozen).as(at + ": nothing leaves a frozen account").isFalse();
            // what stays reserved for holds is not there to take: balance − held ≥ −limit
            assertThat(balance - heldLow).as(at + ": balance − held never below −(overdraft limit " + limit + ")")
                    .isGreaterThanOrEqualTo(-limit);
        }
        // a capture may take what was reserved under a deeper limit since cut, never deeper than any limit it had
        assertThat(balance).as(at + ": balance never below −(deepest limit " + deepestLimit + ")")
                .isGreaterThanOrEqualTo(-deepestLimit);
        if (balance < 0) overdrawn++;
        if (frozen && (e.type() == EntryType.CREDIT || e.type() == EntryType.TRANSFER_IN)) creditedWhileFrozen++;
    }

    private void decide(Outcome o) {
        CommandType type = o.type();
        if (o.status() == OutcomeStatus.IN_REVIEW) {
            inReview(o);
            return;
        }
        if (type == CommandType.APPROVE_REVIEW || type == CommandType.REJECT_REVIEW) {
            decision(o);
            return;
        }
        if (o.accepted()) {
            switch (type) {
                case SET_LIMITS -> {
                    Command c = commands.get(accountId + "/" + o.transactionId());
                    limit = minor(c.overdraftLimit(), o.currency());
                    deepestLimit = Math.max(deepestLimit, limit);
                    // allowed (nothing more may leave until it is back within), and only then may available be < 0
                    if (balance - heldHigh + limit < 0) limitCutBelowUse = true;
                }
                case FREEZE_ACCOUNT -> frozen = true;
                case UNFREEZE_ACCOUNT -> frozen = false;
                case PLACE_HOLD -> {
                    assertThat(frozen).as(at(o) + ": a frozen account places no hold").isFalse();
                    Hold placed = hold(o, HoldEvent.Type.PLACED).hold();
                    assertThat(placed.amountMinor()).as(at(o)).isEqualTo(o.amountMinor());
                    assertThat(balance - heldLow).as(at(o) + ": balance − held never below −(overdraft limit "
                            + limit + ")").isGreaterThanOrEqualTo(-limit);
                    availableAsStated(o);
                }
                case CAPTURE_HOLD, VOID_HOLD -> {
                    assertThat(reviews).as(at(o) + ": a review's hold is not the customer's to end")
                            .doesNotContainKey(o.holdId());
                    Hold before = holds.get(o.holdId());
                    assertThat(before).as(at(o) + ": the hold it acts on").isNotNull();
                    assertThat(before.status()).as(at(o) + ": acts only on an active hold").isEqualTo(HoldStatus.ACTIVE);
                    if (before.expiresAt() != null) {
                        assertThat(o.timestamp()).as(at(o) + ": before the hold's expiry").isLessThan(before.expiresAt());
                    }
                    long left = before.remainingMinor();
                    HoldEvent e = hold(o, type == CommandType.CAPTURE_HOLD ? HoldEvent.Type.CAPTURED : HoldEvent.Type.VOIDED);
                    assertThat(e.amountMinor()).as(at(o) + ": what it moved").isEqualTo(o.amountMinor())
                            .isLessThanOrEqualTo(left);
                    if (type == CommandType.VOID_HOLD) assertThat(e.amountMinor()).as(at(o) + ": releases all that is left").isEqualTo(left);
                    availableAsStated(o);
                }
                default -> { }
            }
            return;
        }
        RejectionReason reason = o.reason();
        if (reason == RejectionReason.ACCOUNT_FROZEN) {
            assertThat(frozen).as(at(o) + ": refused as frozen only while frozen").isTrue();
            assertThat(type).as(at(o) + ": a freeze refuses only what takes money out or reserves it")
                    .isIn(CommandType.DEBIT, CommandType.TRANSFER, CommandType.PLACE_HOLD);
        } else if (reason == RejectionReason.INSUFFICIENT_FUNDS) {
            assertThat(frozen).as(at(o) + ": a frozen account is refused as frozen").isFalse();
            // even with every expiry as late as it can have been, the account could not afford it
            assertThat(balance - heldHigh + limit).as(at(o) + ": available was below the amount").isLessThan(o.amountMinor());
        } else if (reason == RejectionReason.FRAUD_SUSPECTED) {
            assertThat(type).as(at(o) + ": the rules check only debits and transfers")
                    .isIn(CommandType.DEBIT, CommandType.TRANSFER);
            Review review = reviews.get(o.transactionId());
            if (review == null) {
                // declined up front: the rules look only at a payment the account logic would apply
                assertThat(frozen).as(at(o) + ": a frozen account refuses as frozen, unchecked").isFalse();
                assertThat(balance - heldLow + limit).as(at(o) + ": declined, yet the account could not pay it")
                        .isGreaterThanOrEqualTo(o.amountMinor());
            }
        } else if (reason == RejectionReason.HOLD_NOT_ACTIVE && reviews.containsKey(holdIdOf(o))) {
            Review review = reviews.get(holdIdOf(o));
            if (o.holdStatus() == null) {
                // refused as the review's hold: only while the review is pending
                assertThat(review.answered).as(at(o) + ": refused as a pending review's hold").isFalse();
                assertThat(review.end).as(at(o) + ": refused as a pending review's hold").isNull();
            } else {
                assertThat(holds.get(holdIdOf(o)).status()).as(at(o) + ": the review's hold had ended")
                        .isNotEqualTo(HoldStatus.ACTIVE).isEqualTo(o.holdStatus());
            }
        } else if (reason == RejectionReason.HOLD_NOT_ACTIVE) {
            Hold hold = holds.get(o.holdId());
            assertThat(hold).as(at(o) + ": the hold it names").isNotNull();
            assertThat(hold.status()).as(at(o) + ": refused because the hold had ended").isNotEqualTo(HoldStatus.ACTIVE);
            assertThat(o.holdStatus()).as(at(o) + ": how the hold ended").isEqualTo(hold.status());
        } else if (reason == RejectionReason.HOLD_NOT_FOUND) {
            assertThat(holds).as(at(o) + ": no such hold was placed before").doesNotContainKey(holdIdOf(o));
        } else if (reason == RejectionReason.HOLD_EXCEEDED) {
            Hold hold = holds.get(o.holdId());
            assertThat(hold).as(at(o) + ": the hold it names").isNotNull();
            boolean active = hold.status() == HoldStatus.ACTIVE || mayNotHaveExpiredYet.contains(hold.holdId());
            assertThat(active).as(at(o) + ": exceeded an active hold").isTrue();
            assertThat(o.amountMinor()).as(at(o) + ": more than was left")
                    .isGreaterThan(hold.amountMinor() - hold.capturedMinor());
        }
    }

    /** The hold a hold command names: its outcome's, or (a refusal that does not say) its command's. */
    private String holdIdOf(Outcome o) {
        if (o.holdId() != null) return o.holdId();
        Command c = commands.get(accountId + "/" + o.transactionId());
        return c == null ? null : c.holdId();
    }

    /** A payment held for review: its hold placed, reserving the payment until the deadline. */
    private void inReview(Outcome o) {
        assertThat(o.type()).as(at(o) + ": only debits and transfers go to review")
                .isIn(CommandType.DEBIT, CommandType.TRANSFER);
        assertThat(reviews).as(at(o) + ": one review per payment").doesNotContainKey(o.transactionId());
        assertThat(frozen).as(at(o) + ": a frozen account refuses as frozen, unchecked").isFalse();
        assertThat(balance - heldLow + limit).as(at(o) + ": held for review, yet the account could not pay it")
                .isGreaterThanOrEqualTo(o.amountMinor());
        assertThat(o.holdId()).as(at(o) + ": its hold is the payment's transactionId").isEqualTo(o.transactionId());
        Hold placed = hold(o, HoldEvent.Type.PLACED).hold();
        assertThat(placed.amountMinor()).as(at(o) + ": the hold reserves the payment").isEqualTo(o.amountMinor());
        assertThat(placed.reference()).as(at(o) + ": the hold's reference").isEqualTo("fraud review");
        assertThat(placed.expiresAt()).as(at(o) + ": the hold expires at the review's deadline")
                .isEqualTo(o.timestamp() + settings.timeoutMillis());
        assertThat(balance - heldLow).as(at(o) + ": balance − held never below −(overdraft limit " + limit + ")")
                .isGreaterThanOrEqualTo(-limit);
        availableAsStated(o);
        reviews.put(o.transactionId(), new Review(o, placed.expiresAt()));
    }

    /**
     * Where a review ends, before anything of the outcome that shows it is replayed: the payment's final outcome (its
     * hold VOIDED by a decision just before, or EXPIRED at the deadline), or the approval of a transfer that is now
     * under way (its final outcome comes when its legs are done).
     */
    private void reviewEndsAt(Outcome o) {
        if (decidedJustNow != null) {
            Review r = decidedJustNow;
            Command c = commands.get(accountId + "/" + o.transactionId());
            assertThat(o.type()).as(at(o) + ": the decision that ended the review of " + r.inReview.transactionId()
                    + " answers right after the payment's final outcome")
                    .isEqualTo(decidedJustNowApproved ? CommandType.APPROVE_REVIEW : CommandType.REJECT_REVIEW);
            assertThat(o.accepted()).as(at(o)).isTrue();
            assertThat(c.reviewId()).as(at(o) + ": the review it ended").isEqualTo(r.inReview.transactionId());
            assertThat(o.timestamp()).as(at(o) + ": decided when the review's hold was released")
                    .isEqualTo(r.endedAt);
            decidedJustNow = null;
            return;
        }
        Review r = reviews.get(o.transactionId());
        boolean paymentAnswer = r != null && o.status() != OutcomeStatus.IN_REVIEW
                && (o.type() == CommandType.DEBIT || o.type() == CommandType.TRANSFER);
        if (paymentAnswer) {
            assertThat(r.answered).as(at(o) + ": a review has one final outcome").isFalse();
            r.answered = true;
            boolean underWay = o.type() == CommandType.TRANSFER && (o.transferStatus() == TransferStatus.COMPLETED
                    || o.transferStatus() == TransferStatus.REFUNDED);
            if (r.end == HoldEvent.Type.VOIDED) {
                // approved, and a transfer under way since: its legs have answered
                assertThat(underWay).as(at(o) + ": an approved transfer that was applied completes or is refunded")
                        .isTrue();
                return;
            }
            Hold hold = holds.get(r.inReview.transactionId());
            if (hold.status() == HoldStatus.EXPIRED) {
                r.end = HoldEvent.Type.EXPIRED;
                HoldEvent expiry = expiries.get(r.inReview.transactionId());
                if (mayNotHaveExpiredYet.remove(r.inReview.transactionId())) {
                    // it expired exactly here, not at some point since the hold change before it
                    heldHigh -= expiry.amountMinor();
                    releasedLate -= expiry.amountMinor();
                }
                if (underWay) {
                    assertThat(o.timestamp()).as(at(o) + ": answered after the deadline's approval")
                            .isGreaterThanOrEqualTo(expiry.timestamp());
                } else {
                    assertThat(o.timestamp()).as(at(o) + ": answered at the deadline, when its hold expired")
                            .isEqualTo(expiry.timestamp());
                }
                boolean approved = settings.byDefault() == ReviewStatus.APPROVED;
                assertThat(o.reason() == RejectionReason.FRAUD_SUSPECTED)
                        .as(at(o) + ": undecided by its deadline, " + settings.byDefault() + " by default")
                        .isEqualTo(!approved);
                return;
            }
            // decided: the decision released the hold, then applied the payment (approved) or refused it
            release(r, o);
            decidedJustNow = r;
            decidedJustNowApproved = o.reason() != RejectionReason.FRAUD_SUSPECTED;
            return;
        }
        if ((o.type() == CommandType.APPROVE_REVIEW || o.type() == CommandType.REJECT_REVIEW) && o.accepted()) {
            // no final outcome before it: an approved transfer, now under way
            Command c = commands.get(accountId + "/" + o.transactionId());
            Review decided = reviews.get(c.reviewId());
            assertThat(decided).as(at(o) + ": a review was pending").isNotNull();
            assertThat(decided.end).as(at(o) + ": a review was pending").isNull();
            assertThat(o.type()).as(at(o) + ": no final outcome before the decision: a transfer approved")
                    .isEqualTo(CommandType.APPROVE_REVIEW);
            assertThat(decided.inReview.type()).as(at(o)).isEqualTo(CommandType.TRANSFER);
            release(decided, o);
        }
    }

    /** The review's hold, released by a decision: VOIDED, with no transactionId of a customer's command. */
    private void release(Review r, Outcome o) {
        heldHigh -= releasedLate; // the expiries since the last hold change came before this one at the latest
        releasedLate = 0;
        mayNotHaveExpiredYet.clear();
        String id = r.inReview.transactionId();
        Hold before = holds.get(id);
        assertThat(before.status()).as(at(o) + ": the review's hold was active").isEqualTo(HoldStatus.ACTIVE);
        assertThat(nextEvent).as(at(o) + ": the review's release").isLessThan(events.size());
        HoldEvent e = events.get(nextEvent++);
        assertThat(e.event()).as(at(o) + ": the review's hold released by the decision, in order")
                .isEqualTo(HoldEvent.Type.VOIDED);
        assertThat(e.holdId()).as(at(o) + ": the review's hold released by the decision, in order").isEqualTo(id);
        assertThat(e.transactionId()).as(at(o) + ": released by the bank's decision, not a command on the hold")
                .isNull();
        assertThat(e.amountMinor()).as(at(o) + ": releases all of it").isEqualTo(before.remainingMinor());
        assertThat(e.timestamp()).as(at(o) + ": released when decided").isEqualTo(o.timestamp())
                .isLessThan(r.deadline);
        heldLow -= e.amountMinor();
        heldHigh -= e.amountMinor();
        holds.put(id, e.hold());
        r.end = HoldEvent.Type.VOIDED;
        r.endedAt = e.timestamp();
        expiriesAfterAHoldChange();
    }

    /** APPROVE_REVIEW or REJECT_REVIEW: taken only on a pending review, refused for a reason that holds. */
    private void decision(Outcome o) {
        Command c = commands.get(accountId + "/" + o.transactionId());
        assertThat(c).as(at(o) + ": a decision the workload sent").isNotNull();
        Review r = reviews.get(c.reviewId());
        if (o.accepted()) {
            // reviewEndsAt matched it with the release and the final outcome before it
            assertThat(r).as(at(o)).isNotNull();
            assertThat(r.end).as(at(o) + ": ended by this decision").isEqualTo(HoldEvent.Type.VOIDED);
            assertThat(o.amountMinor()).as(at(o) + ": the payment's amount").isEqualTo(r.inReview.amountMinor());
            return;
        }
        if (o.reason() == RejectionReason.REVIEW_NOT_FOUND) {
            assertThat(r).as(at(o) + ": no payment of the account went to review under " + c.reviewId()).isNull();
        } else if (o.reason() == RejectionReason.REVIEW_NOT_PENDING) {
            assertThat(r).as(at(o) + ": the review it names").isNotNull();
            assertThat(holds.get(c.reviewId()).status()).as(at(o) + ": the review had ended")
                    .isNotEqualTo(HoldStatus.ACTIVE);
        } else {
            throw new AssertionError(at(o) + ": a trusted system's decision refused for " + o.reason());
        }
    }

    /** The outcome's available balance lies within what the replay allows (exactly it, when no expiry is in doubt). */
    private void availableAsStated(Outcome o) {
        assertThat(o.availableMinor()).as(at(o) + ": available it states")
                .isBetween(balance - heldHigh + limit, balance - heldLow + limit);
    }

    /** The HoldEvent of an accepted hold command: the next one of the account that is not an expiry. */
    private HoldEvent hold(Outcome o, HoldEvent.Type expected) {
        heldHigh -= releasedLate; // the expiries since the last hold change came before this one at the latest
        releasedLate = 0;
        mayNotHaveExpiredYet.clear();
        assertThat(nextEvent).as(at(o) + ": its HoldEvent").isLessThan(events.size());
        HoldEvent e = events.get(nextEvent++);
        assertThat(e.event()).as(at(o) + ": its HoldEvent, in order").isEqualTo(expected);
        assertThat(e.transactionId()).as(at(o) + ": its HoldEvent, in order").isEqualTo(o.transactionId());
        assertThat(e.holdId()).as(at(o)).isEqualTo(o.holdId());
        assertThat(e.hold().status()).as(at(o) + ": hold status it states").isEqualTo(o.holdStatus());
        long delta = expected == HoldEvent.Type.PLACED ? e.amountMinor() : -e.amountMinor();
        heldLow += delta;
        heldHigh += delta;
        holds.put(e.holdId(), e.hold());
        expiriesAfterAHoldChange();
        return e;
    }

    /** Takes the expiries that follow a hold change as early as they can have come (low) and as late (high). */
    private void expiriesAfterAHoldChange() {
        while (nextEvent < events.size() && events.get(nextEvent).event() == HoldEvent.Type.EXPIRED) {
            HoldEvent e = events.get(nextEvent++);
            Hold before = holds.get(e.holdId());
            assertThat(before).as(accountId + ": expiry of a hold placed before it, " + e.holdId()).isNotNull();
            assertThat(before.status()).as(accountId + ": expiry of an active hold, " + e.holdId()).isEqualTo(HoldStatus.ACTIVE);
            assertThat(e.amountMinor()).as(accountId + ": expiry releases what was left of " + e.holdId())
                    .isEqualTo(before.remainingMinor());
            heldLow -= e.amountMinor();
            releasedLate += e.amountMinor();
            mayNotHaveExpiredYet.add(e.holdId());
            holds.put(e.holdId(), e.hold());
            expiries.put(e.holdId(), e);
        }
    }

    static long minor(String major, String currency) {
        if (major == null) return 0;
        return new BigDecimal(major).movePointRight(Currency.getInstance(currency).getDefaultFractionDigits())
                .longValueExact();
    }
}
