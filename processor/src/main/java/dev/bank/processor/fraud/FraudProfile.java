package dev.bank.processor.fraud;

import dev.bank.schemas.FraudRules;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the fraud rules know of one account's recent behaviour, kept in the task's fraud profiles store and changed
 * only by what the account's task applies, in log order: its recent debits and transfers out, its recent money in,
 * the accounts it has paid, and the thresholds an admin set for it. Every list is bounded, oldest dropped first, so a
 * busy account's profile stays the same size; the bounds are also the most a rule can count (a velocity limit above
 * {@link #MAX_OUTFLOWS} is never reached).
 *
 * @param outflowAt    record times of the recent outflows, oldest first
 * @param outflowMinor their amounts, in minor units of the account's currency
 * @param inflowAt     record times of the recent inflows (credits, transfers in, the opening deposit), oldest first
 * @param inflowMinor  their amounts
 * @param payees       the accounts paid by transfer, least recently paid first
 * @param rules        the account's own thresholds; null: the bank's defaults
 */
public record FraudProfile(long[] outflowAt, long[] outflowMinor, long[] inflowAt, long[] inflowMinor,
                           List<String> payees, FraudRules rules) {
    public static final int MAX_OUTFLOWS = 32;
    public static final int MAX_INFLOWS = 16;
    public static final int MAX_PAYEES = 64;

    public static final FraudProfile EMPTY = new FraudProfile(new long[0], new long[0], new long[0], new long[0],
            List.of(), null);

    /** The profile after an outflow at {@code at} (to {@code payee} when it is a transfer; null otherwise). */
    public FraudProfile withOutflow(long at, long amountMinor, String payee) {
        List<String> paid = payees;
        if (payee != null) {
            paid = new ArrayList<>(payees.size() + 1);
            for (String p : payees) {
                if (!p.equals(payee)) paid.add(p);
            }
            paid.add(payee);
            if (paid.size() > MAX_PAYEES) paid = paid.subList(paid.size() - MAX_PAYEES, paid.size());
            paid = List.copyOf(paid);
        }
        return new FraudProfile(append(outflowAt, at, MAX_OUTFLOWS), append(outflowMinor, amountMinor, MAX_OUTFLOWS),
                inflowAt, inflowMinor, paid, rules);
    }

    /** The profile after money came in at {@code at}. */
    public FraudProfile withInflow(long at, long amountMinor) {
        return new FraudProfile(outflowAt, outflowMinor, append(inflowAt, at, MAX_INFLOWS),
                append(inflowMinor, amountMinor, MAX_INFLOWS), payees, rules);
    }

    /** The profile with the account's own thresholds ({@link FraudRules#DEFAULTS} or null: none). */
    public FraudProfile withRules(FraudRules newRules) {
        return new FraudProfile(outflowAt, outflowMinor, inflowAt, inflowMinor, payees,
                FraudRules.DEFAULTS.equals(newRules) ? null : newRules);
    }

    public boolean hasPaid(String account) {
        return payees.contains(account);
    }

    private static long[] append(long[] values, long value, int max) {
        int keep = Math.min(values.length, max - 1);
        long[] next = Arrays.copyOfRange(values, values.length - keep, values.length + 1);
        next[keep] = value;
        return next;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FraudProfile p && Arrays.equals(outflowAt, p.outflowAt)
                && Arrays.equals(outflowMinor, p.outflowMinor) && Arrays.equals(inflowAt, p.inflowAt)
                && Arrays.equals(inflowMinor, p.inflowMinor) && payees.equals(p.payees)
                && java.util.Objects.equals(rules, p.rules);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(Arrays.hashCode(outflowAt), Arrays.hashCode(inflowAt), payees, rules);
    }

    @Override
    public String toString() {
        return "FraudProfile[outflowAt=" + Arrays.toString(outflowAt) + ", outflowMinor="
                + Arrays.toString(outflowMinor) + ", inflowAt=" + Arrays.toString(inflowAt) + ", inflowMinor="
                + Arrays.toString(inflowMinor) + ", payees=" + payees + ", rules=" + rules + "]";
    }
}
