package dev.bank.processor.fraud;

import dev.bank.processor.config.FraudConfig;
import dev.bank.processor.fraud.FraudRulesEngine.Payment;
import dev.bank.processor.fraud.FraudRulesEngine.Verdict;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.FraudRules;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.Currency;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rules as pure functions: how scores add up to a decision, the profile's bounds, thresholds per currency, and
 * that no profile or amount, however extreme, makes a rule throw or overflow. Each rule's boundary through the whole
 * topology: {@code FraudTopologyTest}.
 */
class FraudRulesEngineTest {
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final FraudRulesEngine ENGINE = new FraudRulesEngine(FraudConfig.defaults());

    @Property(tries = 500)
    void theDecisionIsTheSumOfTheFindingsScoresAgainstTheReviewAndDeclineScores(
            @ForAll("profiles") FraudProfile profile, @ForAll("payments") Payment payment) {
        Verdict verdict = ENGINE.evaluate(profile, payment);
        int sum = verdict.findings().stream().mapToInt(FraudFinding::score).sum();
        assertThat(verdict.score()).isEqualTo(sum);
        FraudDecision expected = sum >= 100 ? FraudDecision.DECLINE : sum >= 50 ? FraudDecision.REVIEW
                : FraudDecision.ALLOW;
        assertThat(verdict.decision()).isEqualTo(expected);
        // each rule at most once, each with the reason and evidence an operator reads
        assertThat(verdict.findings()).extracting(FraudFinding::rule).doesNotHaveDuplicates();
        verdict.findings().forEach(f -> assertThat(f.reason()).isNotBlank());
        verdict.findings().forEach(f -> assertThat(f.evidence()).isNotEmpty());
    }

    @Property(tries = 300)
    void anExemptAccountIsNeverStopped(@ForAll("profiles") FraudProfile profile, @ForAll("payments") Payment payment) {
        FraudProfile exempt = profile.withRules(new FraudRules(false, 1, 2, "0", "0", "1"));
        assertThat(ENGINE.evaluate(exempt, payment)).isEqualTo(Verdict.ALLOW_NOTHING);
    }

    @Property(tries = 300)
    void theProfileKeepsTheNewestOutflowsInflowsAndPayeesInOrderAndNoMore(
            @ForAll("amounts") List<Long> amounts) {
        FraudProfile p = FraudProfile.EMPTY;
        for (int i = 0; i < amounts.size(); i++) {
            p = p.withOutflow(i, amounts.get(i), "payee-" + (i % 80)).withInflow(i, amounts.get(i));
        }
        int n = amounts.size();
        assertThat(p.outflowAt()).hasSize(Math.min(n, FraudProfile.MAX_OUTFLOWS));
        assertThat(p.inflowAt()).hasSize(Math.min(n, FraudProfile.MAX_INFLOWS));
        assertThat(p.payees()).hasSizeLessThanOrEqualTo(FraudProfile.MAX_PAYEES);
        if (n > 0) {
            assertThat(p.outflowAt()[p.outflowAt().length - 1]).isEqualTo(n - 1);
            assertThat(p.outflowMinor()[p.outflowMinor().length - 1]).isEqualTo(amounts.get(n - 1));
            assertThat(p.payees().get(p.payees().size() - 1)).isEqualTo("payee-" + ((n - 1) % 80));
        }
        for (int i = 1; i < p.outflowAt().length; i++) assertThat(p.outflowAt()[i]).isGreaterThan(p.outflowAt()[i - 1]);
    }

    @Test
    void aPayeePaidAgainMovesToTheEndAndTheLeastRecentlyPaidIsForgottenFirst() {
        FraudProfile p = FraudProfile.EMPTY;
        for (int i = 0; i < FraudProfile.MAX_PAYEES; i++) p = p.withOutflow(i, 1, "p" + i);
        p = p.withOutflow(100, 1, "p0").withOutflow(101, 1, "new");
        assertThat(p.hasPaid("p0")).isTrue();
        assertThat(p.hasPaid("p1")).as("least recently paid").isFalse();
        assertThat(p.payees()).endsWith("p0", "new");
    }

    @Test
    void amountThresholdsArePerCurrencyWithADefaultAndRoundedUpToMinorUnits() {
        FraudConfig.Amounts amounts = FraudConfig.Amounts.parse("EUR=10000, JPY=1500000, *=5000.005");
        assertThat(amounts.minor(EUR)).isEqualTo(1_000_000L);
        assertThat(amounts.minor(Currency.getInstance("JPY"))).isEqualTo(1_500_000L);
        assertThat(amounts.minor(Currency.getInstance("USD"))).isEqualTo(500_001L);
        assertThat(FraudConfig.Amounts.parse("EUR=1").minor(Currency.getInstance("USD"))).isEqualTo(Long.MAX_VALUE);
        assertThat(FraudConfig.Amounts.parse("1e30").minor(EUR)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> FraudConfig.Amounts.parse("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FraudConfig.Amounts.parse("XYZ=1")).isInstanceOf(RuntimeException.class);
    }

    @Test
    void aConfigurationThatCannotWorkIsRefusedAtStartUp() {
        assertThatThrownBy(() -> FraudConfig.fromEnv(Map.of("BANK_FRAUD_REVIEW_SCORE", "120")))
                .hasMessageContaining("BANK_FRAUD_REVIEW_SCORE");
        assertThatThrownBy(() -> FraudConfig.fromEnv(Map.of("BANK_FRAUD_REVIEW_DEFAULT", "EXPIRED")))
                .hasMessageContaining("APPROVED or REJECTED");
        assertThatThrownBy(() -> FraudConfig.fromEnv(Map.of("BANK_FRAUD_MULE_PERCENT", "0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aScoreOfOneRuleAloneCanBeRaisedToDecline() {
        FraudRulesEngine strict = new FraudRulesEngine(FraudConfig.fromEnv(Map.of("BANK_FRAUD_SCORE_NEW_PAYEE", "100")));
        Verdict v = strict.evaluate(FraudProfile.EMPTY, new Payment(500_000, EUR, "someone", 0, 0));
        assertThat(v.decision()).isEqualTo(FraudDecision.DECLINE);
        assertThat(v.findings()).extracting(FraudFinding::rule).containsExactly(FraudRule.NEW_PAYEE);
    }

    // ---- generators: profiles and payments over the whole range, extremes included ----

    @Provide
    Arbitrary<List<Long>> amounts() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE).list().ofMaxSize(120);
    }

    private static Arbitrary<Long> times() {
        return Arbitraries.longs().between(0, 4_000_000_000_000L)
                .edgeCases(c -> c.includeOnly(0L, 4_000_000_000_000L));
    }

    private static Arbitrary<Long> positive() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(1, 5_000_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, Long.MAX_VALUE)));
    }

    @Provide
    Arbitrary<FraudProfile> profiles() {
        Arbitrary<List<Long>> ats = times().list().ofMaxSize(FraudProfile.MAX_OUTFLOWS).map(l -> l.stream().sorted().toList());
        Arbitrary<List<Long>> sums = positive().list().ofMaxSize(FraudProfile.MAX_OUTFLOWS);
        Arbitrary<FraudRules> rules = Combinators.combine(Arbitraries.integers().between(1, 50).injectNull(0.5),
                Arbitraries.integers().between(2, 50).injectNull(0.5),
                Arbitraries.of("0", "1", "100", "20000.00", "92233720368547758.07").injectNull(0.5))
                .as((v, f, amount) -> new FraudRules(null, v, f, amount, amount, amount)).injectNull(0.5);
        return Combinators.combine(ats, sums, ats, sums, Arbitraries.of("x", "y", "z").list().ofMaxSize(3), rules)
                .as((oa, om, ia, im, payees, r) -> {
                    int outs = Math.min(oa.size(), om.size());
                    int ins = Math.min(ia.size(), im.size());
                    return new FraudProfile(oa.subList(0, outs).stream().mapToLong(Long::longValue).toArray(),
                            om.subList(0, outs).stream().mapToLong(Long::longValue).toArray(),
                            ia.subList(0, ins).stream().mapToLong(Long::longValue).toArray(),
                            im.subList(0, ins).stream().mapToLong(Long::longValue).toArray(), payees, r);
                });
    }

    @Provide
    Arbitrary<Payment> payments() {
        return Combinators.combine(positive(), Arbitraries.of("EUR", "JPY", "BHD"), Arbitraries.of("x", "new")
                .injectNull(0.4), times(), Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as((amount, currency, payee, at, today) -> new Payment(amount, Currency.getInstance(currency), payee,
                        at, today));
    }

}
