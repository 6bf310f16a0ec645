package dev.bank.processor.fraud;

import dev.bank.processor.config.FraudConfig;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.Money;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fraud rules, as a pure function of the account's profile, the payment and its record time: no clock, no I/O,
 * so a task that reprocesses the same records decides the same. Each rule that triggers adds its score; the total
 * decides ({@link FraudConfig#reviewScore()}, {@link FraudConfig#declineScore()}).
 */
public final class FraudRulesEngine {
    private final FraudConfig config;

    public FraudRulesEngine(FraudConfig config) {
        this.config = config;
    }

    public FraudConfig config() {
        return config;
    }

    /** What the rules found and decided; {@link #ALLOW_NOTHING} when nothing triggered. */
    public record Verdict(FraudDecision decision, int score, List<FraudFinding> findings) {
        public static final Verdict ALLOW_NOTHING = new Verdict(FraudDecision.ALLOW, 0, List.of());
    }

    /**
     * The payment to check: {@code amountMinor} leaving the account at {@code timestamp}, to {@code payee} when it is a
     * transfer (null for a debit).
     *
     * @param outflowToday what already left the account on the payment's business day (its daily outflow so far)
     */
    public record Payment(long amountMinor, Currency currency, String payee, long timestamp, long outflowToday) {}

    public Verdict evaluate(FraudProfile profile, Payment payment) {
        FraudRules own = profile.rules() == null ? FraudRules.DEFAULTS : profile.rules();
        if (Boolean.FALSE.equals(own.enabled())) return Verdict.ALLOW_NOTHING;
        List<FraudFinding> findings = new ArrayList<>(2);
        velocity(profile, payment, own, findings);
        largeAmount(profile, payment, own, findings);
        dailyOutflow(payment, own, findings);
        newPayee(profile, payment, own, findings);
        mule(profile, payment, findings);
        structuring(profile, payment, own, findings);
        if (findings.isEmpty()) return Verdict.ALLOW_NOTHING;
        int score = 0;
        for (FraudFinding f : findings) score += f.score();
        FraudDecision decision = score >= config.declineScore() ? FraudDecision.DECLINE
                : score >= config.reviewScore() ? FraudDecision.REVIEW : FraudDecision.ALLOW;
        return new Verdict(decision, score, List.copyOf(findings));
    }

    private void velocity(FraudProfile p, Payment pay, FraudRules own, List<FraudFinding> out) {
        int max = own.velocityMaxCount() != null ? own.velocityMaxCount() : config.velocityMaxCount();
        long from = pay.timestamp() - config.velocityWindow().toMillis();
        int count = 1 + countSince(p.outflowAt(), from);
        if (count > max) {
            out.add(finding(FraudRule.VELOCITY, count + " debits and transfers out within "
                    + config.velocityWindow().toSeconds() + " s; at most " + max + " are usual",
                    "count", String.valueOf(count), "maxCount", String.valueOf(max),
                    "windowSeconds", String.valueOf(config.velocityWindow().toSeconds())));
        }
    }

    private void largeAmount(FraudProfile p, Payment pay, FraudRules own, List<FraudFinding> out) {
        long[] amounts = p.outflowMinor();
        if (amounts.length < config.largeAmountHistory()) return;
        long minimum = config.largeAmountMinimum().minor(pay.currency());
        if (pay.amountMinor() < minimum) return;
        long[] sorted = amounts.clone();
        Arrays.sort(sorted);
        long median = sorted[sorted.length / 2];
        int factor = own.largeAmountFactor() != null ? own.largeAmountFactor() : config.largeAmountFactor();
        // amount > factor × median, without overflow: a median of 0 is not possible (amounts are positive)
        if (pay.amountMinor() > multiply(median, factor)) {
            out.add(finding(FraudRule.LARGE_AMOUNT, "the amount is more than " + factor
                    + " times the account's median outflow", "amount", major(pay.amountMinor(), pay),
                    "medianOutflow", major(median, pay), "factor", String.valueOf(factor),
                    "outflowsConsidered", String.valueOf(amounts.length)));
        }
    }

    private void dailyOutflow(Payment pay, FraudRules own, List<FraudFinding> out) {
        long cap = own.dailyOutflowCap() != null ? ownMinor(own.dailyOutflowCap(), pay)
                : config.dailyOutflowCap().minor(pay.currency());
        long total = pay.outflowToday() > Long.MAX_VALUE - pay.amountMinor() ? Long.MAX_VALUE
                : pay.outflowToday() + pay.amountMinor();
        if (total > cap) {
            out.add(finding(FraudRule.DAILY_OUTFLOW, "today's outflow with this payment is above the cap",
                    "outflowToday", major(total, pay), "cap", major(cap, pay)));
        }
    }

    private void newPayee(FraudProfile p, Payment pay, FraudRules own, List<FraudFinding> out) {
        if (pay.payee() == null) return;
        long threshold = own.newPayeeAmount() != null ? ownMinor(own.newPayeeAmount(), pay)
                : config.newPayeeAmount().minor(pay.currency());
        if (pay.amountMinor() >= threshold && !p.hasPaid(pay.payee())) {
            out.add(finding(FraudRule.NEW_PAYEE, "a first transfer to this account, above the new payee threshold",
                    "payee", pay.payee(), "amount", major(pay.amountMinor(), pay), "threshold", major(threshold, pay),
                    "payeesKnown", String.valueOf(p.payees().size())));
        }
    }

    /**
     * Money in and straight out: within the window, what came in is at least the minimum, and what left (this
     * payment included) is at least the configured share of it.
     */
    private void mule(FraudProfile p, Payment pay, List<FraudFinding> out) {
        long from = pay.timestamp() - config.muleWindow().toMillis();
        long in = sumSince(p.inflowAt(), p.inflowMinor(), from);
        long minimum = config.muleMinimum().minor(pay.currency());
        if (in == 0 || in < minimum) return;
        long outSoFar = sumSince(p.outflowAt(), p.outflowMinor(), from);
        long leaving = outSoFar > Long.MAX_VALUE - pay.amountMinor() ? Long.MAX_VALUE : outSoFar + pay.amountMinor();
        // leaving >= in × percent / 100, exactly
        if (BigDecimal.valueOf(leaving).multiply(BigDecimal.valueOf(100))
                .compareTo(BigDecimal.valueOf(in).multiply(BigDecimal.valueOf(config.mulePercent()))) >= 0) {
            out.add(finding(FraudRule.MULE, "most of what came in within the window leaves again",
                    "inflow", major(in, pay), "outflow", major(leaving, pay),
                    "percent", String.valueOf(config.mulePercent()),
                    "windowSeconds", String.valueOf(config.muleWindow().toSeconds())));
        }
    }

    private void structuring(FraudProfile p, Payment pay, FraudRules own, List<FraudFinding> out) {
        long threshold = own.structuringThreshold() != null ? ownMinor(own.structuringThreshold(), pay)
                : config.structuringThreshold().minor(pay.currency());
        if (threshold == Long.MAX_VALUE) return;
        long floor = threshold - threshold / 100 * config.structuringBandPercent()
                - threshold % 100 * config.structuringBandPercent() / 100;
        if (pay.amountMinor() >= threshold || pay.amountMinor() < floor) return;
        long from = pay.timestamp() - config.structuringWindow().toMillis();
        int count = 1;
        long[] at = p.outflowAt();
        long[] amounts = p.outflowMinor();
        for (int i = 0; i < at.length; i++) {
            if (at[i] > from && amounts[i] >= floor && amounts[i] < threshold) count++;
        }
        if (count >= config.structuringCount()) {
            out.add(finding(FraudRule.STRUCTURING, count + " payments just under the reporting threshold within "
                    + config.structuringWindow().toSeconds() + " s", "count", String.valueOf(count),
                    "threshold", major(threshold, pay), "from", major(floor, pay),
                    "windowSeconds", String.valueOf(config.structuringWindow().toSeconds())));
        }
    }

    private FraudFinding finding(FraudRule rule, String reason, String... evidence) {
        Map<String, String> named = new LinkedHashMap<>();
        for (int i = 0; i + 1 < evidence.length; i += 2) named.put(evidence[i], evidence[i + 1]);
        return new FraudFinding(rule, config.scores().get(rule), reason, named);
    }

    /** Outflows (or inflows) strictly after {@code from}: the window ends at the payment and is {@code (from, now]}. */
    private static int countSince(long[] at, long from) {
        int n = 0;
        for (long t : at) if (t > from) n++;
        return n;
    }

    private static long sumSince(long[] at, long[] amounts, long from) {
        long sum = 0;
        for (int i = 0; i < at.length; i++) {
            if (at[i] > from) sum = sum > Long.MAX_VALUE - amounts[i] ? Long.MAX_VALUE : sum + amounts[i];
        }
        return sum;
    }

    private static long multiply(long a, int b) {
        try {
            return Math.multiplyExact(a, (long) b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * An admin's threshold (held to the account's currency when it was set) in minor units: zero is a threshold too
     * (every payment counts), and one beyond what a {@code long} holds is never reached.
     */
    private static long ownMinor(String major, Payment pay) {
        return FraudConfig.Amounts.toMinor(Money.parseDecimal(major), pay.currency());
    }

    private static String major(long minor, Payment pay) {
        return minor == Long.MAX_VALUE ? "none" : Money.toMajor(minor, pay.currency());
    }
}
