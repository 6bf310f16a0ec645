package dev.bank.bench;

import dev.bank.bench.FraudScore.Observed;
import dev.bank.bench.FraudWorkload.Labelled;
import dev.bank.bench.FraudWorkload.Pattern;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.ReviewStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Precision and recall counted by hand on a few labelled payments, and decisions read from outcomes and alerts. */
class FraudScoreTest {
    private final List<Labelled> commands = new ArrayList<>();
    private final Map<String, Observed> observed = new HashMap<>();

    private static final Observed ALLOWED = new Observed(OutcomeStatus.ACCEPTED, null, Set.of());

    private void payment(Pattern pattern, String behaviour, int incident, Observed decided) {
        String id = "t" + commands.size();
        commands.add(new Labelled(Command.debit(id, "a", "10.00"), commands.size(), pattern, behaviour, incident,
                false));
        if (decided != null) observed.put(id, decided);
    }

    private static Observed review(FraudRule... rules) {
        return new Observed(OutcomeStatus.IN_REVIEW, null, Set.of(rules));
    }

    private static Observed decline(FraudRule... rules) {
        return new Observed(OutcomeStatus.REJECTED, RejectionReason.FRAUD_SUSPECTED, Set.of(rules));
    }

    @Test
    void aRulesPrecisionCountsAnyFraudItStopsAndAPatternsRecallAnyRuleThatStopsIt() {
        // a takeover of four debits: the first two pass, then velocity holds one and velocity with large amount
        // declines the last
        payment(Pattern.VELOCITY, "takeover", 0, ALLOWED);
        payment(Pattern.VELOCITY, "takeover", 0, ALLOWED);
        payment(Pattern.VELOCITY, "takeover", 0, review(FraudRule.VELOCITY));
        payment(Pattern.VELOCITY, "takeover", 0, decline(FraudRule.VELOCITY, FraudRule.LARGE_AMOUNT));
        // a structuring incident caught by large amount only, and one nobody notices
        payment(Pattern.STRUCTURING, "structuring", 1, review(FraudRule.LARGE_AMOUNT));
        payment(Pattern.STRUCTURING, "structuring", 2, ALLOWED);
        // honest: rent stopped by large amount, eleven card payments let through
        payment(Pattern.NONE, "rent", -1, review(FraudRule.LARGE_AMOUNT));
        for (int i = 0; i < 11; i++) payment(Pattern.NONE, "card", -1, ALLOWED);

        FraudScore score = FraudScore.of(commands, observed);

        assertThat(score.scored()).isEqualTo(18);
        assertThat(score.problems()).isEmpty();
        FraudScore.RuleRow large = score.rule(FraudRule.LARGE_AMOUNT);
        assertThat(large.flagged()).isEqualTo(3);
        assertThat(large.fraud()).isEqualTo(2); // the takeover's last debit and a structuring payment
        assertThat(large.ownPattern()).isZero();
        assertThat(large.precision()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(large.falseAlarms()).isEqualTo(Map.of("rent", 1));
        assertThat(large.falseAlarmsPerThousandHonest()).isCloseTo(1000.0 / 12, within(1e-9));
        FraudScore.RuleRow velocity = score.rule(FraudRule.VELOCITY);
        assertThat(velocity.flagged()).isEqualTo(2);
        assertThat(velocity.ownPattern()).isEqualTo(2);
        assertThat(velocity.precision()).isEqualTo(1.0);
        assertThat(score.rule(FraudRule.MULE).flagged()).isZero();
        assertThat(score.rule(FraudRule.MULE).precision()).isNaN();

        FraudScore.PatternRow takeover = score.pattern(Pattern.VELOCITY);
        assertThat(takeover.payments()).isEqualTo(4);
        assertThat(takeover.flagged()).isEqualTo(2);
        assertThat(takeover.recall()).isEqualTo(0.5);
        assertThat(takeover.incidentsCaught()).isEqualTo(1);
        FraudScore.PatternRow structuring = score.pattern(Pattern.STRUCTURING);
        assertThat(structuring.recall()).isEqualTo(0.5);
        assertThat(structuring.incidents()).isEqualTo(2);
        assertThat(structuring.incidentsCaught()).isEqualTo(1);
        assertThat(score.pattern(Pattern.MULE).recall()).isNaN();

        // overall: 4 flagged, 3 of them fraud; 3 of 6 fraudulent payments flagged
        assertThat(score.overall().flagged()).isEqualTo(4);
        assertThat(score.overall().precision()).isEqualTo(0.75);
        assertThat(score.overall().recall()).isEqualTo(0.5);
        assertThat(score.overall().honestFlagged()).isEqualTo(1);
        assertThat(score.overall().honestDeclined()).isZero();
        assertThat(score.decisions()).containsEntry(FraudDecision.ALLOW, 14).containsEntry(FraudDecision.REVIEW, 3)
                .containsEntry(FraudDecision.DECLINE, 1);
        assertThat(score.honestFlaggedByBehaviour()).isEqualTo(Map.of("rent", 1));
        assertThat(String.join("\n", score.lines())).contains("overall: precision 0.750", "recall 0.500",
                "LARGE_AMOUNT          3       2       1      0.667");
    }

    @Test
    void onlyScoredPaymentsCountAndWhatIsMissingOrRefusedOtherwiseIsAProblem() {
        commands.add(new Labelled(Command.credit("in", "a", "5000.00"), 0, Pattern.MULE, "mule-in", 0, false));
        commands.add(new Labelled(Command.debit("old", "a", "1.00"), 0, Pattern.NONE, "card", -1, true));
        payment(Pattern.MULE, "mule-out", 0, null);
        payment(Pattern.NONE, "card", -1, new Observed(OutcomeStatus.REJECTED, RejectionReason.INSUFFICIENT_FUNDS,
                Set.of()));
        payment(Pattern.NONE, "card", -1, review());

        FraudScore score = FraudScore.of(commands, observed);

        assertThat(score.scored()).isEqualTo(3);
        assertThat(score.missing()).isEqualTo(1);
        assertThat(score.refusedOtherwise()).isEqualTo(1);
        assertThat(score.unexplained()).isEqualTo(1);
        assertThat(score.problems()).hasSize(3);
    }

    @Test
    void theDecisionIsTheFirstOutcomeAndTheRulesThoseOfTheAlertThatMadeIt() {
        Outcome inReview = outcome("t1", OutcomeStatus.IN_REVIEW, null);
        Outcome rejectedLater = outcome("t1", OutcomeStatus.REJECTED, RejectionReason.FRAUD_SUSPECTED);
        Outcome declined = outcome("t2", OutcomeStatus.REJECTED, RejectionReason.FRAUD_SUSPECTED);
        Outcome accepted = outcome("t3", OutcomeStatus.ACCEPTED, null);
        FraudAlert opened = alert("t1", FraudDecision.REVIEW, ReviewStatus.PENDING, FraudRule.MULE);
        FraudAlert ended = alert("t1", FraudDecision.REVIEW, ReviewStatus.EXPIRED, FraudRule.VELOCITY);
        FraudAlert refused = alert("t2", FraudDecision.DECLINE, null, FraudRule.MULE, FraudRule.NEW_PAYEE);

        Map<String, Observed> seen = FraudScore.observe(List.of(inReview, declined, rejectedLater, accepted),
                List.of(ended, opened, refused));

        assertThat(seen.get("t1")).isEqualTo(new Observed(OutcomeStatus.IN_REVIEW, null, Set.of(FraudRule.MULE)));
        assertThat(seen.get("t1").decision()).isEqualTo(FraudDecision.REVIEW);
        assertThat(seen.get("t2").rules()).containsExactlyInAnyOrder(FraudRule.MULE, FraudRule.NEW_PAYEE);
        assertThat(seen.get("t2").decision()).isEqualTo(FraudDecision.DECLINE);
        assertThat(seen.get("t3").flagged()).isFalse();
        assertThat(seen.get("t3").rules()).isEmpty();
    }

    private static Outcome outcome(String id, OutcomeStatus status, RejectionReason reason) {
        return new Outcome(id, "a", CommandType.DEBIT, status, reason, null, 1000L, 0L, "EUR", 1, false, 0);
    }

    private static FraudAlert alert(String id, FraudDecision decision, ReviewStatus status, FraudRule... rules) {
        List<FraudFinding> findings = new ArrayList<>();
        for (FraudRule r : rules) findings.add(new FraudFinding(r, 50, "why", Map.of()));
        return new FraudAlert("a", id, CommandType.DEBIT, decision, status, null, 50 * rules.length, findings, 1000,
                "EUR", null, null, null, 0);
    }
}
