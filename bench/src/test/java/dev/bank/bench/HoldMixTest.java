package dev.bank.bench;

import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The holds mix replayed, command by command in the order each account receives them, against a model of the
 * processor's rules of its own (balance, held, available, active holds), so a plan the processor would refuse, or
 * one that leaves a hold open, fails here instead of in a benchmark run.
 */
class HoldMixTest {
    private static final String EXPIRY = "2099-01-01T00:00:00Z";

    /** What the model saw over a whole workload. */
    private static final class Replay {
        final Map<String, Long> balances = new HashMap<>();
        final Map<CommandType, Integer> types = new EnumMap<>(CommandType.class);
        int mostActive;
        int placed;
        int expiring;
        int partCaptures;
        int captureRests;
    }

    /** One account in the model: what the processor would check a command against. */
    private static final class Model {
        long balance;
        long held;
        final Map<String, Long> active = new LinkedHashMap<>();
        final Set<String> ended = new HashSet<>();

        long available() {
            return balance - held;
        }
    }

    private static Replay replay(HoldMix w) {
        Replay r = new Replay();
        Map<String, Model> accounts = new HashMap<>();
        for (int a = 0; a < w.accountIds().size(); a++) {
            Model m = new Model();
            m.balance = w.openingMinor(a);
            accounts.put(w.accountIds().get(a), m);
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < w.n(); i++) {
            Command c = w.command(i);
            assertThat(c.accountId()).isEqualTo(w.accountOf(i));
            assertThat(c.transactionId()).isEqualTo(w.transactionId(i));
            assertThat(ids.add(c.transactionId())).as("fresh transactionId").isTrue();
            assertThat(w.indexOf(c.transactionId())).isEqualTo(i);
            r.types.merge(c.type(), 1, Integer::sum);
            Model m = accounts.get(c.accountId());
            String what = c.transactionId() + " " + c.type();
            switch (c.type()) {
                case CREDIT -> m.balance += minor(c.amount());
                case DEBIT -> {
                    assertThat(minor(c.amount())).as(what + " within what is available").isLessThanOrEqualTo(m.available());
                    m.balance -= minor(c.amount());
                }
                case PLACE_HOLD -> {
                    long amount = minor(c.amount());
                    assertThat(amount).as(what).isPositive().isLessThanOrEqualTo(m.available());
                    assertThat(m.active).doesNotContainKey(c.transactionId());
                    m.active.put(c.transactionId(), amount);
                    m.held += amount;
                    r.placed++;
                    if (c.expiresAt() != null) {
                        assertThat(c.expiresAt()).isEqualTo(EXPIRY);
                        r.expiring++;
                    }
                    assertThat(m.active.size()).as(what + ": active holds").isLessThanOrEqualTo(w.window())
                            .isLessThan(Account.MAX_ACTIVE_HOLDS);
                    r.mostActive = Math.max(r.mostActive, m.active.size());
                }
                case CAPTURE_HOLD -> {
                    Long left = m.active.get(c.holdId());
                    assertThat(left).as(what + ": its hold " + c.holdId() + " is active on " + c.accountId()).isNotNull();
                    long amount = c.amount() == null ? left : minor(c.amount());
                    assertThat(amount).as(what + " no more than is left on the hold").isPositive().isLessThanOrEqualTo(left);
                    if (c.amount() == null) r.captureRests++;
                    else if (amount < left) r.partCaptures++;
                    m.balance -= amount;
                    m.held -= amount;
                    if (amount == left) end(m, c.holdId());
                    else m.active.put(c.holdId(), left - amount);
                }
                case VOID_HOLD -> {
                    Long left = m.active.get(c.holdId());
                    assertThat(left).as(what + ": its hold " + c.holdId() + " is active on " + c.accountId()).isNotNull();
                    m.held -= left;
                    end(m, c.holdId());
                }
                default -> throw new AssertionError("unexpected " + what);
            }
            assertThat(m.available()).as("available after " + what).isNotNegative();
        }
        accounts.forEach((id, m) -> {
            assertThat(m.active).as(id + ": every hold placed has ended").isEmpty();
            assertThat(m.held).as(id + ": nothing held").isZero();
            r.balances.put(id, m.balance);
        });
        return r;
    }

    private static void end(Model m, String holdId) {
        m.active.remove(holdId);
        assertThat(m.ended.add(holdId)).as(holdId + " ends once").isTrue();
    }

    private static long minor(String major) {
        return new BigDecimal(major).movePointRight(Workload.EUR.getDefaultFractionDigits()).longValueExact();
    }

    @Test
    void everyHoldEndsWithinTheRunCapturesStayWithinTheHoldAndTheBalancesAddUp() {
        // many accounts as holds-mix runs them, an uneven split, the bench's smoke size, and tiny or odd ones
        int[][] shapes = {{1000, 100_000}, {7, 10_003}, {10, 50}, {3, 1}, {5, 13}, {1000, 20_000}};
        for (int[] shape : shapes) {
            HoldMix w = new HoldMix("r", Scenario.HOLDS_MIX, shape[0], shape[1], EXPIRY);
            Replay r = replay(w);
            assertThat(w.expectedBalances(w.n())).as(shape[0] + " accounts, N " + shape[1]).isEqualTo(r.balances);
            assertThat(r.mostActive).isLessThanOrEqualTo(HoldMix.WINDOW);
        }
    }

    @Test
    void theHotAccountKeepsHundredsOfHoldsActiveInARollingWindowUnderTheCap() {
        assertThat(HoldMix.HOT_WINDOW).isLessThan(Account.MAX_ACTIVE_HOLDS);
        for (int n : new int[] {100_000, 20_000, 5_000, 50, 2}) {
            HoldMix w = new HoldMix("r", Scenario.HOT_ACCOUNT_HOLDS, 1, n, EXPIRY);
            assertThat(w.window()).isEqualTo(HoldMix.HOT_WINDOW);
            Replay r = replay(w);
            assertThat(w.expectedBalances(n)).isEqualTo(r.balances);
            if (n >= 5_000) assertThat(r.mostActive).as("N " + n).isEqualTo(HoldMix.HOT_WINDOW);
        }
    }

    @Test
    void aboutFortyPercentOfTheCommandsConcernHoldsOfEveryKind() {
        HoldMix w = new HoldMix("r", Scenario.HOLDS_MIX, 1000, 100_000, EXPIRY);
        Replay r = replay(w);
        int holdCommands = r.types.get(CommandType.PLACE_HOLD) + r.types.get(CommandType.CAPTURE_HOLD)
                + r.types.get(CommandType.VOID_HOLD);
        assertThat(holdCommands).isBetween(38_000, 40_000);
        assertThat(r.types.get(CommandType.PLACE_HOLD)).isBetween(15_000, 16_000);
        assertThat(r.types.get(CommandType.CAPTURE_HOLD)).isBetween(15_000, 16_500);
        assertThat(r.types.get(CommandType.VOID_HOLD)).isBetween(7_000, 8_000);
        assertThat(r.types.get(CommandType.DEBIT)).isEqualTo(20_000);
        assertThat(r.types.get(CommandType.CREDIT)).isBetween(40_000, 42_000);
        assertThat(r.partCaptures).as("captured in part first").isPositive();
        assertThat(r.captureRests).as("then the rest, without an amount").isPositive();
        assertThat(r.expiring).as("some holds carry an expiry, not all").isPositive().isLessThan(r.placed);
    }

    @Test
    void tinyRunsStillPlaceHoldsAsTheirTwoCommandKind() {
        // the smoke test's size: five commands per account leave two hold slots, room for a hold and its capture
        HoldMix w = new HoldMix("r", Scenario.HOLDS_MIX, 10, 50, EXPIRY);
        assertThat(w.command(10).type()).isEqualTo(CommandType.PLACE_HOLD);
        Command capture = w.command(30);
        assertThat(capture.type()).isEqualTo(CommandType.CAPTURE_HOLD);
        assertThat(capture.holdId()).isEqualTo(w.transactionId(10));
        assertThat(capture.amount()).isEqualTo(w.command(10).amount());
    }

    @Test
    void aHoldOutcomeMustSayWhatThePlanSays() {
        HoldMix w = new HoldMix("r", Scenario.HOT_ACCOUNT_HOLDS, 1, 2_000, EXPIRY);
        Map<String, Long> left = new HashMap<>();
        int checked = 0;
        for (int i = 0; i < w.n(); i++) {
            Command c = w.command(i);
            if (c.type() == CommandType.CREDIT || c.type() == CommandType.DEBIT) {
                assertThat(w.check(i, outcome(c, minor(c.amount()), null, null, null))).isNull();
                continue;
            }
            String holdId = c.type() == CommandType.PLACE_HOLD ? c.transactionId() : c.holdId();
            long before = left.getOrDefault(holdId, 0L);
            long amount;
            HoldStatus status;
            if (c.type() == CommandType.PLACE_HOLD) {
                amount = minor(c.amount());
                left.put(holdId, amount);
                status = HoldStatus.ACTIVE;
            } else if (c.type() == CommandType.VOID_HOLD) {
                amount = before;
                left.put(holdId, 0L);
                status = HoldStatus.VOIDED;
            } else {
                amount = c.amount() == null ? before : minor(c.amount());
                left.put(holdId, before - amount);
                status = before == amount ? HoldStatus.CAPTURED : HoldStatus.ACTIVE;
            }
            long remaining = left.get(holdId);
            assertThat(w.check(i, outcome(c, amount, holdId, status, remaining))).as(c.toString()).isNull();
            assertThat(w.check(i, outcome(c, amount + 1, holdId, status, remaining))).isNotNull();
            assertThat(w.check(i, outcome(c, amount, holdId, HoldStatus.EXPIRED, remaining))).isNotNull();
            assertThat(w.check(i, outcome(c, amount, holdId, status, remaining + 1))).isNotNull();
            assertThat(w.check(i, outcome(c, amount, holdId + "x", status, remaining))).isNotNull();
            assertThat(w.check(i, outcome(c, amount, null, null, null))).isNotNull();
            checked++;
        }
        assertThat(checked).isPositive();
    }

    private static Outcome outcome(Command c, long amount, String holdId, HoldStatus status, Long remaining) {
        return new Outcome(c.transactionId(), c.accountId(), c.type(), OutcomeStatus.ACCEPTED, null, null, amount,
                100_000L, Workload.CURRENCY, 1, false, 0, null, null, null, null, holdId, status, remaining, 100_000L);
    }

    @Test
    void theKafkaDirectWorkloadChecksNothingMoreThanAcceptance() {
        Workload w = new Workload("r", Scenario.KAFKA_DIRECT, 10, 100);
        assertThat(w.check(3, outcome(w.command(3), 1, null, null, null))).isNull();
    }
}
