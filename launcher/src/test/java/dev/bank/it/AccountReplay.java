package dev.bank.it;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.RejectionReason;

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
 * <p>Along the way it asserts what no order of decisions may break: money leaves (debit, transfer out, new hold)
 * only from an account that is not frozen and only while balance − held stays at or above −(overdraft limit in force
 * then); a refusal for funds or a freeze is one the account's state called for; a capture or void acts on an active
 * hold, a capture within what is left and before the expiry; every accepted hold command has its one HoldEvent, in
 * the same order; and every outcome states the balance the chain has at that point.
 */
final class AccountReplay {
    /** The account as its history left it. */
    record Result(String accountId, long balance, long overdraftLimit, boolean frozen, long held,
                  Map<String, Hold> holds, boolean limitCutBelowUse, int overdrawnPostings, int creditedWhileFrozen) {

        List<Hold> activeHolds() {
            return holds.values().stream().filter(h -> h.status() == HoldStatus.ACTIVE).toList();
        }
    }

    private final String accountId;
    private final Map<String, Command> commands;
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
                          List<HoldEvent> events) {
        this.accountId = accountId;
        this.commands = commands;
        this.entries = entries;
        this.events = events;
    }

    /**
     * @param outcomes every first (not replayed) outcome of the account, in its partition's order
     * @param entries  its ledger entries in sequence order
     * @param events   its HoldEvents in its partition's order
     * @param commands every command sent, by {@code accountId/transactionId}
     */
    static Result replay(String accountId, List<Outcome> outcomes, List<LedgerEntry> entries, List<HoldEvent> events,
                         Map<String, Command> commands) {
        AccountReplay r = new AccountReplay(accountId, commands, entries, events);
        r.expiriesAfterAHoldChange();
        long lastSequence = 0;
        for (Outcome o : outcomes) {
            // a conflict restates the sequence of the outcome it conflicts with, not the account's; an outcome without
            // a balance (a stranger's, one for no account) tells nothing of the account
            if (o.reason() == RejectionReason.IDEMPOTENCY_CONFLICT || o.balanceMinor() == null) continue;
            assertThat(o.sequence()).as(r.at(o) + ": outcomes follow the postings in order").isGreaterThanOrEqualTo(lastSequence);
            lastSequence = o.sequence();
            while (r.posted < entries.size() && entries.get(r.posted).sequence() <= o.sequence()) r.post(entries.get(r.posted));
            assertThat((long) r.posted).as(r.at(o) + ": postings before it").isEqualTo(o.sequence());
            assertThat(o.balanceMinor()).as(r.at(o) + ": balance it states").isEqualTo(r.balance);
            r.decide(o);
        }
        while (r.posted < entries.size()) r.post(entries.get(r.posted));
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
        } else if (reason == RejectionReason.HOLD_NOT_ACTIVE) {
            Hold hold = holds.get(o.holdId());
            assertThat(hold).as(at(o) + ": the hold it names").isNotNull();
            assertThat(hold.status()).as(at(o) + ": refused because the hold had ended").isNotEqualTo(HoldStatus.ACTIVE);
            assertThat(o.holdStatus()).as(at(o) + ": how the hold ended").isEqualTo(hold.status());
        } else if (reason == RejectionReason.HOLD_NOT_FOUND) {
            assertThat(holds).as(at(o) + ": no such hold was placed before").doesNotContainKey(o.holdId());
        } else if (reason == RejectionReason.HOLD_EXCEEDED) {
            Hold hold = holds.get(o.holdId());
            assertThat(hold).as(at(o) + ": the hold it names").isNotNull();
            boolean active = hold.status() == HoldStatus.ACTIVE || mayNotHaveExpiredYet.contains(hold.holdId());
            assertThat(active).as(at(o) + ": exceeded an active hold").isTrue();
            assertThat(o.amountMinor()).as(at(o) + ": more than was left")
                    .isGreaterThan(hold.amountMinor() - hold.capturedMinor());
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
        }
    }

    static long minor(String major, String currency) {
        if (major == null) return 0;
        return new BigDecimal(major).movePointRight(Currency.getInstance(currency).getDefaultFractionDigits())
                .longValueExact();
    }
}
