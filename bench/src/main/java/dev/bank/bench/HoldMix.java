package dev.bank.bench;

import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.Money;
import dev.bank.schemas.Outcome;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The commands of {@code holds-mix} and {@code hot-account-holds}: card payments in the mix. Accounts, ids and
 * openings are {@link Workload}'s, and command {@code i} still goes to account {@code i mod A}; what differs is
 * what the k-th command of an account is. Its cycle of ten is {@link #CYCLE}: four credits and two debits, of
 * kafka-direct's sizes, and four hold commands, so about 40% of the commands concern a hold.
 *
 * <p>A hold slot places a new hold or takes the next step of the account's oldest active hold. The holds placed take
 * turns among four kinds of card payment:
 * <ul>
 *   <li>split: captured in part (half), then the rest (a capture without an amount: all that is left);</li>
 *   <li>exact: captured whole at once, the common card payment; it carries an expiry;</li>
 *   <li>partial: captured in part, the rest voided (a pre-authorisation above the final bill);</li>
 *   <li>voided: released untouched (a cancelled purchase); it carries an expiry.</li>
 * </ul>
 * So of all commands about 16% place a hold, 16% capture one and 8% void one; about 40% are credits and 20% debits.
 * The expiry lies far beyond the run (the caller picks it): no hold expires in it, but the processor indexes and
 * unindexes those holds by expiry as it would in production.
 *
 * <p>Every hold placed ends within the run, captured in full or voided: a hold is placed only while the account's
 * hold slots still to come can finish it and every hold already active (else a split or partial hold is placed as its
 * two-command kind, exact or voided, or the slot finishes an older hold, or it is a credit). At most {@code window}
 * holds are active on an account at once, placed and ended in a rolling window: a few per account in holds-mix, as a
 * card holder has, and hundreds on the hot account, as a busy merchant's account has, still well under
 * {@link Account#MAX_ACTIVE_HOLDS}. A hold is 2 to 101 cents, the account opens with 1000 EUR and its credits
 * outweigh what leaves it, so neither a hold nor a debit is ever refused: every outcome must be ACCEPTED.
 *
 * <p>The whole plan is made when the workload is built, before anything is timed; a command is then built from it
 * as cheaply as kafka-direct's.
 */
final class HoldMix extends Workload {
    /** An account's k-th command is of kind {@code CYCLE.charAt(k % 10)}: C a credit, D a debit, H about a hold. */
    static final String CYCLE = "CHCHDCHDHC";
    /** The most holds active on one account of holds-mix at once. */
    static final int WINDOW = 4;
    /** The most holds active on the hot account at once. */
    static final int HOT_WINDOW = 500;

    /** What command {@code i} is. */
    enum Op {
        CREDIT(CommandType.CREDIT), DEBIT(CommandType.DEBIT),
        PLACE(CommandType.PLACE_HOLD), PLACE_EXPIRING(CommandType.PLACE_HOLD),
        /** A capture with an amount. */
        CAPTURE(CommandType.CAPTURE_HOLD),
        /** A capture without one: all that is left. */
        CAPTURE_REST(CommandType.CAPTURE_HOLD),
        VOID(CommandType.VOID_HOLD);

        final CommandType type;

        Op(CommandType type) {
            this.type = type;
        }

        boolean hold() {
            return this != CREDIT && this != DEBIT;
        }
    }

    private enum Kind {
        SPLIT(2, false), EXACT(1, true), PARTIAL(2, false), VOIDED(1, true);

        /** Commands after the placing one. */
        final int steps;
        final boolean expiring;

        Kind(int steps, boolean expiring) {
            this.steps = steps;
            this.expiring = expiring;
        }

        /** The two-command kind a hold becomes when there are no slots left for this one. */
        Kind shorter() {
            return this == SPLIT ? EXACT : this == PARTIAL ? VOIDED : this;
        }
    }

    private static final Kind[] TURNS = Kind.values();

    private static final class Open {
        final int placedAt;
        final Kind kind;
        final int amount;
        int left;
        int step;

        Open(int placedAt, Kind kind, int amount) {
            this.placedAt = placedAt;
            this.kind = kind;
            this.amount = amount;
            this.left = amount;
        }
    }

    private final String expiresAt;
    private final int window;
    private final Op[] ops;
    /** The command's amount in minor units; for a capture of the rest or a void, what it takes or releases. */
    private final int[] amounts;
    /** For a hold command, what is left on the hold after it. */
    private final int[] left;
    /** For a hold command, the index of the PLACE_HOLD whose transactionId is the hold's id. */
    private final int[] holdAt;

    /**
     * @param expiresAt the expiry (an ISO-8601 instant) of the holds that carry one: it must lie beyond the run
     */
    HoldMix(String runId, Scenario scenario, int accounts, int n, String expiresAt) {
        this(runId, scenario, accounts, n, scenario.hot() ? HOT_WINDOW : WINDOW, expiresAt);
    }

    HoldMix(String runId, Scenario scenario, int accounts, int n, int window, String expiresAt) {
        super(runId, scenario, accounts, n);
        if (window < 1 || window >= Account.MAX_ACTIVE_HOLDS) {
            throw new IllegalArgumentException("window must be 1 to " + (Account.MAX_ACTIVE_HOLDS - 1) + ", was "
                    + window);
        }
        this.expiresAt = expiresAt;
        this.window = window;
        this.ops = new Op[n];
        this.amounts = new int[n];
        this.left = new int[n];
        this.holdAt = new int[n];
        for (int a = 0; a < accounts; a++) plan(a, accounts);
    }

    /** Plans the commands of account {@code a}, in the order it receives them. */
    private void plan(int a, int accounts) {
        int count = n() / accounts + (a < n() % accounts ? 1 : 0);
        int holdSlotsLeft = 0;
        for (int k = 0; k < count; k++) if (CYCLE.charAt(k % CYCLE.length()) == 'H') holdSlotsLeft++;
        ArrayDeque<Open> active = new ArrayDeque<>();
        int stepsOwed = 0;
        int placed = 0;
        for (int k = 0; k < count; k++) {
            int i = a + k * accounts;
            int small = k % 100 + 1;
            char slot = CYCLE.charAt(k % CYCLE.length());
            if (slot != 'H') {
                set(i, slot == 'D' ? Op.DEBIT : Op.CREDIT, small, 0, -1);
                continue;
            }
            holdSlotsLeft--;
            Kind kind = TURNS[placed % TURNS.length];
            if (kind.steps > holdSlotsLeft - stepsOwed) kind = kind.shorter();
            if (active.size() < window && kind.steps <= holdSlotsLeft - stepsOwed) {
                Open hold = new Open(i, kind, small + 1);
                active.addLast(hold);
                stepsOwed += kind.steps;
                placed++;
                set(i, kind.expiring ? Op.PLACE_EXPIRING : Op.PLACE, hold.amount, hold.amount, i);
            } else if (!active.isEmpty()) {
                Open hold = active.peekFirst();
                step(i, hold);
                stepsOwed--;
                if (hold.step == hold.kind.steps) active.removeFirst();
            } else {
                set(i, Op.CREDIT, small, 0, -1);
            }
        }
        if (stepsOwed != 0 || !active.isEmpty()) throw new IllegalStateException("account " + a + " left holds open");
    }

    /** The oldest active hold's next command. */
    private void step(int i, Open hold) {
        boolean first = hold.step == 0;
        switch (hold.kind) {
            case SPLIT -> {
                if (first) capture(i, hold, hold.amount / 2, Op.CAPTURE);
                else capture(i, hold, hold.left, Op.CAPTURE_REST);
            }
            case EXACT -> capture(i, hold, hold.amount, Op.CAPTURE);
            case PARTIAL -> {
                if (first) capture(i, hold, hold.amount / 2, Op.CAPTURE);
                else {
                    set(i, Op.VOID, hold.left, 0, hold.placedAt);
                    hold.left = 0;
                }
            }
            case VOIDED -> {
                set(i, Op.VOID, hold.left, 0, hold.placedAt);
                hold.left = 0;
            }
        }
        hold.step++;
    }

    private void capture(int i, Open hold, int amount, Op op) {
        hold.left -= amount;
        set(i, op, amount, hold.left, hold.placedAt);
    }

    private void set(int i, Op op, int amount, int leftAfter, int placedAt) {
        ops[i] = op;
        amounts[i] = amount;
        left[i] = leftAfter;
        holdAt[i] = placedAt;
    }

    Op op(int i) {
        return ops[i];
    }

    int window() {
        return window;
    }

    /** The id of the hold command {@code i} is about: the transactionId of its PLACE_HOLD. */
    String holdId(int i) {
        return transactionId(holdAt[i]);
    }

    @Override
    Command command(int i) {
        String tx = transactionId(i);
        String account = accountOf(i);
        return switch (ops[i]) {
            case CREDIT -> Command.credit(tx, account, major(amounts[i]));
            case DEBIT -> Command.debit(tx, account, major(amounts[i]));
            case PLACE -> Command.placeHold(tx, account, major(amounts[i]), null, null);
            case PLACE_EXPIRING -> Command.placeHold(tx, account, major(amounts[i]), expiresAt, null);
            case CAPTURE -> Command.captureHold(tx, account, holdId(i), major(amounts[i]));
            case CAPTURE_REST -> Command.captureHold(tx, account, holdId(i), null);
            case VOID -> Command.voidHold(tx, account, holdId(i));
        };
    }

    /**
     * A hold command's outcome must name its hold and say what the plan says: the amount placed, captured or
     * released, and what is then left on the hold in which state.
     */
    @Override
    String check(int i, Outcome o) {
        Op op = ops[i];
        if (!op.hold()) return null;
        HoldStatus status = op == Op.VOID ? HoldStatus.VOIDED : left[i] > 0 ? HoldStatus.ACTIVE : HoldStatus.CAPTURED;
        if (o.type() == op.type && o.amountMinor() != null && o.amountMinor() == amounts[i]
                && status == o.holdStatus() && o.holdRemainingMinor() != null && o.holdRemainingMinor() == left[i]
                && holdId(i).equals(o.holdId())) {
            return null;
        }
        return o.transactionId() + " " + o.type() + " of " + o.amountMinor() + " left hold " + o.holdId() + " "
                + o.holdStatus() + " with " + o.holdRemainingMinor() + ", expected " + op.type + " of " + amounts[i]
                + " leaving " + holdId(i) + " " + status + " with " + left[i];
    }

    /** Every account's balance once the first {@code applied} commands are applied: captures post, holds do not. */
    @Override
    Map<String, Long> expectedBalances(int applied) {
        Map<String, Long> balances = new HashMap<>();
        for (int a = 0; a < accountIds().size(); a++) balances.put(accountIds().get(a), openingMinor(a));
        for (int i = 0; i < applied; i++) {
            long signed = switch (ops[i]) {
                case CREDIT -> amounts[i];
                case DEBIT, CAPTURE, CAPTURE_REST -> -amounts[i];
                case PLACE, PLACE_EXPIRING, VOID -> 0;
            };
            if (signed != 0) balances.merge(accountOf(i), signed, Long::sum);
        }
        return balances;
    }

    private static String major(int minor) {
        return Money.toMajor(minor, EUR);
    }
}
