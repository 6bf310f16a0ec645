package dev.bank.processor.config;

import dev.bank.schemas.FraudRule;
import dev.bank.schemas.Money;
import dev.bank.schemas.ReviewStatus;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Currency;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The fraud rules' settings ({@code BANK_FRAUD_*}, docs/operations.md). Every debit and transfer the rules check
 * scores the sum of the rules it triggers: from {@code reviewScore} it is held for review, from {@code declineScore}
 * refused. An admin can override the thresholds of one account (SET_FRAUD_RULES); windows, scores and the review
 * settings are the bank's.
 *
 * <p>Amount thresholds are major units of the account's currency: {@code 10000}, or one per currency with a default,
 * {@code EUR=10000,JPY=1500000,*=10000}.
 *
 * @param enabled             false: no payment is checked and no profile kept ({@code BANK_FRAUD_ENABLED})
 * @param velocityWindow      the window the velocity rule counts outflows in
 * @param velocityMaxCount    the most debits and transfers out allowed in it
 * @param largeAmountFactor   an amount above this many times the account's median outflow is unusual
 * @param largeAmountHistory  how many outflows the account needs before its median means anything
 * @param largeAmountMinimum  an amount below this is never unusually large, whatever the median
 * @param dailyOutflowCap     the business day's outflow, the payment included, above which it counts
 * @param newPayeeAmount      a first transfer to a counterparty from this amount counts
 * @param muleWindow          money that came in within this window and leaves in it again counts as passed through
 * @param mulePercent         the share (percent) of what came in that must leave for the mule rule
 * @param muleMinimum         what must have come in within the window for the mule rule to look at all
 * @param structuringThreshold the reporting threshold; payments in {@code [threshold × (1 − band%), threshold)} count
 * @param structuringBandPercent how far under the threshold a payment may be and still count as just under it
 * @param structuringWindow   the window those payments are counted in
 * @param structuringCount    how many of them, this one included, trigger the rule
 * @param scores              each rule's score when it triggers
 * @param reviewScore         the total score from which a payment is held for review
 * @param declineScore        the total score from which a payment is refused
 * @param reviewTimeout       how long a review waits for an admin
 * @param reviewDefault       what an undecided review ends as: REJECTED (the hold is released) or APPROVED (the payment
 *                            is applied)
 */
public record FraudConfig(boolean enabled, Duration velocityWindow, int velocityMaxCount, int largeAmountFactor,
                          int largeAmountHistory, Amounts largeAmountMinimum, Amounts dailyOutflowCap,
                          Amounts newPayeeAmount, Duration muleWindow, int mulePercent, Amounts muleMinimum,
                          Amounts structuringThreshold, int structuringBandPercent, Duration structuringWindow,
                          int structuringCount, Map<FraudRule, Integer> scores, int reviewScore, int declineScore,
                          Duration reviewTimeout, ReviewStatus reviewDefault) {

    public FraudConfig {
        scores = Map.copyOf(scores);
        for (FraudRule rule : FraudRule.values()) {
            if (!scores.containsKey(rule)) throw new IllegalArgumentException("no score for fraud rule " + rule);
        }
        if (reviewScore <= 0 || declineScore < reviewScore) {
            throw new IllegalArgumentException("BANK_FRAUD_REVIEW_SCORE must be positive and at most "
                    + "BANK_FRAUD_DECLINE_SCORE");
        }
        if (reviewDefault != ReviewStatus.APPROVED && reviewDefault != ReviewStatus.REJECTED) {
            throw new IllegalArgumentException("BANK_FRAUD_REVIEW_DEFAULT is APPROVED or REJECTED");
        }
        if (mulePercent < 1 || mulePercent > 100 || structuringBandPercent < 1 || structuringBandPercent > 100) {
            throw new IllegalArgumentException("fraud percentages are between 1 and 100");
        }
        if (velocityMaxCount < 1 || largeAmountFactor < 2 || largeAmountHistory < 1 || structuringCount < 1) {
            throw new IllegalArgumentException("fraud counts must be positive (largeAmountFactor at least 2)");
        }
    }

    public static FraudConfig fromEnv(Map<String, String> env) {
        Map<FraudRule, Integer> scores = new EnumMap<>(FraudRule.class);
        Map<FraudRule, Integer> defaults = Map.of(FraudRule.VELOCITY, 60, FraudRule.LARGE_AMOUNT, 50,
                FraudRule.DAILY_OUTFLOW, 60, FraudRule.NEW_PAYEE, 50, FraudRule.MULE, 70, FraudRule.STRUCTURING, 70);
        for (FraudRule rule : FraudRule.values()) {
            scores.put(rule, Integer.parseInt(env.getOrDefault("BANK_FRAUD_SCORE_" + rule.name(),
                    String.valueOf(defaults.get(rule)))));
        }
        return new FraudConfig(
                Boolean.parseBoolean(env.getOrDefault("BANK_FRAUD_ENABLED", "true")),
                Duration.parse(env.getOrDefault("BANK_FRAUD_VELOCITY_WINDOW", "PT10M")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_VELOCITY_MAX_COUNT", "8")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_LARGE_AMOUNT_FACTOR", "10")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_LARGE_AMOUNT_HISTORY", "5")),
                Amounts.parse(env.getOrDefault("BANK_FRAUD_LARGE_AMOUNT_MINIMUM", "500")),
                Amounts.parse(env.getOrDefault("BANK_FRAUD_DAILY_OUTFLOW_CAP", "20000")),
                Amounts.parse(env.getOrDefault("BANK_FRAUD_NEW_PAYEE_AMOUNT", "2000")),
                Duration.parse(env.getOrDefault("BANK_FRAUD_MULE_WINDOW", "PT1H")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_MULE_PERCENT", "80")),
                Amounts.parse(env.getOrDefault("BANK_FRAUD_MULE_MINIMUM", "1000")),
                Amounts.parse(env.getOrDefault("BANK_FRAUD_STRUCTURING_THRESHOLD", "10000")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_STRUCTURING_BAND_PERCENT", "10")),
                Duration.parse(env.getOrDefault("BANK_FRAUD_STRUCTURING_WINDOW", "P1D")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_STRUCTURING_COUNT", "3")),
                scores,
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_REVIEW_SCORE", "50")),
                Integer.parseInt(env.getOrDefault("BANK_FRAUD_DECLINE_SCORE", "100")),
                Duration.parse(env.getOrDefault("BANK_FRAUD_REVIEW_TIMEOUT", "P1D")),
                ReviewStatus.valueOf(env.getOrDefault("BANK_FRAUD_REVIEW_DEFAULT", "REJECTED")
                        .toUpperCase(Locale.ROOT)));
    }

    public static FraudConfig defaults() {
        return fromEnv(Map.of());
    }

    /** The same settings with the rules off (or on). */
    public FraudConfig withEnabled(boolean on) {
        return new FraudConfig(on, velocityWindow, velocityMaxCount, largeAmountFactor, largeAmountHistory,
                largeAmountMinimum, dailyOutflowCap, newPayeeAmount, muleWindow, mulePercent, muleMinimum,
                structuringThreshold, structuringBandPercent, structuringWindow, structuringCount, scores, reviewScore,
                declineScore, reviewTimeout, reviewDefault);
    }

    /**
     * An amount threshold in major units, one per currency with a default ({@code *}). In minor units it is rounded
     * up: a threshold is compared with, never paid, and rounding it up never makes a rule stricter than configured.
     */
    public record Amounts(BigDecimal fallback, Map<String, BigDecimal> byCurrency) {

        public Amounts {
            byCurrency = Map.copyOf(byCurrency);
        }

        /** {@code 10000}, or {@code EUR=10000,JPY=1500000,*=10000} (no {@code *}: other currencies have no threshold). */
        public static Amounts parse(String text) {
            Map<String, BigDecimal> byCurrency = new LinkedHashMap<>();
            BigDecimal fallback = null;
            for (String part : text.split(",")) {
                String p = part.trim();
                int eq = p.indexOf('=');
                if (eq < 0) {
                    fallback = amount(p, text);
                } else {
                    String code = p.substring(0, eq).trim();
                    BigDecimal amount = amount(p.substring(eq + 1).trim(), text);
                    if (code.equals("*")) fallback = amount;
                    else byCurrency.put(Money.currency(code).getCurrencyCode(), amount);
                }
            }
            return new Amounts(fallback, byCurrency);
        }

        private static BigDecimal amount(String value, String whole) {
            try {
                BigDecimal amount = new BigDecimal(value);
                if (amount.signum() < 0) throw new NumberFormatException();
                return amount;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an amount threshold: " + whole);
            }
        }

        /** The threshold in minor units of {@code currency}; {@link Long#MAX_VALUE} when it has none. */
        public long minor(Currency currency) {
            BigDecimal major = byCurrency.getOrDefault(currency.getCurrencyCode(), fallback);
            if (major == null) return Long.MAX_VALUE;
            return toMinor(major, currency);
        }

        public static long toMinor(BigDecimal major, Currency currency) {
            BigDecimal minor = major.movePointRight(Math.max(0, currency.getDefaultFractionDigits()))
                    .setScale(0, RoundingMode.CEILING);
            return minor.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : minor.longValueExact();
        }
    }
}
