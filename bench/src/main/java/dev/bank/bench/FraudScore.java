package dev.bank.bench;

import dev.bank.bench.FraudWorkload.Labelled;
import dev.bank.bench.FraudWorkload.Pattern;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.ReviewStatus;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How well the fraud rules did on a labelled workload ({@link FraudWorkload}), from what the processor decided. A
 * payment is <i>flagged</i> when its first outcome is IN_REVIEW (REVIEW) or REJECTED with FRAUD_SUSPECTED (DECLINE);
 * the rules that fired are the findings of its alert. Only scored commands count: the debits and transfers of the
 * measured days.
 *
 * <ul>
 *   <li>A rule's <b>precision</b>: of the payments it fired on, the share labelled fraud (any pattern: a rule that
 *       stops another pattern's fraud is right too). Its false alarms are also given per 1,000 honest payments, a
 *       figure that does not depend on how much fraud the workload holds.</li>
 *   <li>A pattern's <b>recall</b>: of its payments, the share flagged by any rule; and of its incidents (every payment
 *       of one attack), the share in which at least one payment was flagged, i.e. the attack was noticed.</li>
 *   <li><b>Overall</b>: precision over every flagged payment, recall over every fraudulent one.</li>
 * </ul>
 * A ratio with nothing to divide by is NaN (printed {@code -}, null in JSON).
 *
 * @param scored          scored commands
 * @param missing         scored commands without an outcome
 * @param refusedOtherwise scored commands refused for another reason than fraud (none is meant to be)
 * @param unexplained     flagged payments without an alert naming a rule
 * @param decisions       the scored commands' decisions: ALLOW, REVIEW, DECLINE
 * @param honestByBehaviour honest scored payments by behaviour, and {@code honestFlaggedByBehaviour} those flagged
 */
record FraudScore(int scored, int missing, int refusedOtherwise, int unexplained, Totals overall, List<RuleRow> rules,
                  List<PatternRow> patterns, Map<FraudDecision, Integer> decisions,
                  Map<String, Integer> honestByBehaviour, Map<String, Integer> honestFlaggedByBehaviour) {

    /** What the processor decided about one payment: its first outcome and the rules its alert names. */
    record Observed(OutcomeStatus status, RejectionReason reason, Set<FraudRule> rules) {
        boolean flagged() {
            return decision() != FraudDecision.ALLOW;
        }

        FraudDecision decision() {
            if (status == OutcomeStatus.IN_REVIEW) return FraudDecision.REVIEW;
            if (status == OutcomeStatus.REJECTED && reason == RejectionReason.FRAUD_SUSPECTED) {
                return FraudDecision.DECLINE;
            }
            return FraudDecision.ALLOW;
        }
    }

    /**
     * @param flagged    payments flagged; {@code fraud} of them labelled fraud, {@code honest} not
     * @param ownPattern of the fraud it flagged, the payments of the pattern named after it
     * @param falseAlarms its honest payments by behaviour (rent, payroll...)
     */
    record RuleRow(FraudRule rule, int flagged, int fraud, int honest, int ownPattern, double precision,
                   double falseAlarmsPerThousandHonest, Map<String, Integer> falseAlarms) {}

    record PatternRow(Pattern pattern, int payments, int flagged, double recall, int incidents, int incidentsCaught,
                      double incidentRecall) {}

    /** @param honestDeclined of the honest payments flagged, those refused outright (DECLINE) rather than held */
    record Totals(int flagged, int truePositives, double precision, int fraud, int fraudFlagged, double recall,
                  int honest, int honestFlagged, int honestDeclined) {}

    /**
     * Each transactionId's first outcome (a review's final outcome replaces IN_REVIEW later under the same id: the
     * first is the decision) and the rules of its first alert that made a decision (a REVIEW opened, or a DECLINE; the
     * alerts that end reviews repeat them).
     */
    static Map<String, Observed> observe(Iterable<Outcome> outcomes, Iterable<FraudAlert> alerts) {
        Map<String, Set<FraudRule>> rules = new HashMap<>();
        for (FraudAlert a : alerts) {
            boolean decided = a.decision() == FraudDecision.DECLINE
                    || (a.decision() == FraudDecision.REVIEW && a.reviewStatus() == ReviewStatus.PENDING);
            if (!decided || rules.containsKey(a.transactionId())) continue;
            Set<FraudRule> fired = EnumSet.noneOf(FraudRule.class);
            if (a.findings() != null) for (FraudFinding f : a.findings()) fired.add(f.rule());
            rules.put(a.transactionId(), fired);
        }
        Map<String, Observed> observed = new HashMap<>();
        for (Outcome o : outcomes) {
            observed.putIfAbsent(o.transactionId(), new Observed(o.status(), o.reason(),
                    rules.getOrDefault(o.transactionId(), Set.of())));
        }
        return observed;
    }

    static FraudScore of(List<Labelled> commands, Map<String, Observed> observed) {
        int scored = 0;
        int missing = 0;
        int refusedOtherwise = 0;
        int unexplained = 0;
        Map<FraudRule, int[]> byRule = new EnumMap<>(FraudRule.class); // flagged, fraud, own pattern
        Map<FraudRule, Map<String, Integer>> falseAlarms = new EnumMap<>(FraudRule.class);
        for (FraudRule r : FraudRule.values()) {
            byRule.put(r, new int[3]);
            falseAlarms.put(r, new TreeMap<>());
        }
        Map<Pattern, int[]> byPattern = new EnumMap<>(Pattern.class); // payments, flagged
        Map<Integer, Pattern> incidents = new HashMap<>();
        Set<Integer> caught = new HashSet<>();
        Map<FraudDecision, Integer> decisions = new EnumMap<>(FraudDecision.class);
        for (FraudDecision d : FraudDecision.values()) decisions.put(d, 0);
        Map<String, Integer> honestByBehaviour = new TreeMap<>();
        Map<String, Integer> honestFlagged = new TreeMap<>();
        int honestDeclined = 0;
        for (Labelled l : commands) {
            if (!l.scored()) continue;
            scored++;
            Observed o = observed.get(l.command().transactionId());
            if (o == null) {
                missing++;
                continue;
            }
            if (o.status() == OutcomeStatus.REJECTED && o.reason() != RejectionReason.FRAUD_SUSPECTED) {
                refusedOtherwise++;
            }
            boolean flagged = o.flagged();
            decisions.merge(o.decision(), 1, Integer::sum);
            if (flagged && o.rules().isEmpty()) unexplained++;
            Pattern p = l.pattern();
            int[] pc = byPattern.computeIfAbsent(p, k -> new int[2]);
            pc[0]++;
            if (flagged) pc[1]++;
            if (l.incident() >= 0) {
                incidents.put(l.incident(), p);
                if (flagged) caught.add(l.incident());
            }
            if (!p.fraud()) {
                honestByBehaviour.merge(l.behaviour(), 1, Integer::sum);
                if (flagged) honestFlagged.merge(l.behaviour(), 1, Integer::sum);
                if (o.decision() == FraudDecision.DECLINE) honestDeclined++;
            }
            if (!flagged) continue;
            for (FraudRule r : o.rules()) {
                int[] rc = byRule.get(r);
                rc[0]++;
                if (p.fraud()) rc[1]++;
                else falseAlarms.get(r).merge(l.behaviour(), 1, Integer::sum);
                if (p.rule() == r) rc[2]++;
            }
        }
        int honest = byPattern.getOrDefault(Pattern.NONE, new int[2])[0];
        List<RuleRow> rules = new ArrayList<>();
        for (FraudRule r : FraudRule.values()) {
            int[] c = byRule.get(r);
            rules.add(new RuleRow(r, c[0], c[1], c[0] - c[1], c[2], ratio(c[1], c[0]),
                    ratio(1000.0 * (c[0] - c[1]), honest), Map.copyOf(falseAlarms.get(r))));
        }
        List<PatternRow> patterns = new ArrayList<>();
        int fraud = 0;
        int fraudFlagged = 0;
        for (Pattern p : Pattern.values()) {
            int[] c = byPattern.getOrDefault(p, new int[2]);
            int n = (int) incidents.values().stream().filter(p::equals).count();
            int hit = (int) caught.stream().filter(i -> incidents.get(i) == p).count();
            patterns.add(new PatternRow(p, c[0], c[1], ratio(c[1], c[0]), n, hit, ratio(hit, n)));
            if (p.fraud()) {
                fraud += c[0];
                fraudFlagged += c[1];
            }
        }
        int honestFlaggedTotal = byPattern.getOrDefault(Pattern.NONE, new int[2])[1];
        int flagged = fraudFlagged + honestFlaggedTotal;
        Totals overall = new Totals(flagged, fraudFlagged, ratio(fraudFlagged, flagged), fraud, fraudFlagged,
                ratio(fraudFlagged, fraud), honest, honestFlaggedTotal, honestDeclined);
        return new FraudScore(scored, missing, refusedOtherwise, unexplained, overall, List.copyOf(rules),
                List.copyOf(patterns), Map.copyOf(decisions), Map.copyOf(honestByBehaviour), Map.copyOf(honestFlagged));
    }

    RuleRow rule(FraudRule rule) {
        return rules.stream().filter(r -> r.rule() == rule).findFirst().orElseThrow();
    }

    PatternRow pattern(Pattern pattern) {
        return patterns.stream().filter(p -> p.pattern() == pattern).findFirst().orElseThrow();
    }

    /** What is wrong with the run itself (not with the rules): outcomes missing, refusals for other reasons. */
    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (missing > 0) p.add(missing + " of " + scored + " scored payments have no outcome");
        if (refusedOtherwise > 0) p.add(refusedOtherwise + " scored payments were refused for another reason than"
                + " fraud (the workload funds every payment)");
        if (unexplained > 0) p.add(unexplained + " flagged payments have no alert naming a rule");
        return p;
    }

    /** The tables, as printed under the bench's table and by the quality test. */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        List<String> decided = new ArrayList<>();
        for (FraudDecision d : FraudDecision.values()) decided.add(d + " " + decisions.getOrDefault(d, 0));
        out.add(String.format(Locale.ROOT, "%d scored payments: %d fraud, %d honest; decided %s", scored,
                overall.fraud(), overall.honest(), String.join(", ", decided)));
        out.add(String.format(Locale.ROOT, "%-14s %8s %7s %7s %10s %8s  %s", "rule", "flagged", "fraud", "honest",
                "precision", "FA/1k", "false alarms by behaviour"));
        for (RuleRow r : rules) {
            out.add(String.format(Locale.ROOT, "%-14s %8d %7d %7d %10s %8s  %s", r.rule(), r.flagged(), r.fraud(),
                    r.honest(), ratio(r.precision()), number(r.falseAlarmsPerThousandHonest()),
                    byCount(r.falseAlarms())));
        }
        out.add(String.format(Locale.ROOT, "%-14s %8s %7s %7s %10s", "pattern", "payments", "flagged", "recall",
                "incidents caught"));
        for (PatternRow p : patterns) {
            if (!p.pattern().fraud()) continue;
            out.add(String.format(Locale.ROOT, "%-14s %8d %7d %7s %10s", p.pattern(), p.payments(), p.flagged(),
                    ratio(p.recall()), p.incidentsCaught() + "/" + p.incidents()));
        }
        out.add(String.format(Locale.ROOT, "overall: precision %s (%d of %d flagged are fraud), recall %s (%d of %d"
                        + " fraudulent payments flagged), %d of %d honest payments flagged (%d of them declined)",
                ratio(overall.precision()), overall.truePositives(), overall.flagged(), ratio(overall.recall()),
                overall.fraudFlagged(), overall.fraud(), overall.honestFlagged(), overall.honest(),
                overall.honestDeclined()));
        List<String> byBehaviour = new ArrayList<>();
        for (Map.Entry<String, Integer> e : new TreeMap<>(honestByBehaviour).entrySet()) {
            int f = honestFlaggedByBehaviour.getOrDefault(e.getKey(), 0);
            if (f > 0) byBehaviour.add(e.getKey() + " " + f + "/" + e.getValue());
        }
        out.add("honest payments flagged, by behaviour: " + (byBehaviour.isEmpty() ? "none"
                : String.join(", ", byBehaviour)));
        return out;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scored", scored);
        m.put("missing", missing);
        m.put("refusedOtherwise", refusedOtherwise);
        m.put("unexplained", unexplained);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("precision", json(overall.precision()));
        o.put("recall", json(overall.recall()));
        o.put("flagged", overall.flagged());
        o.put("truePositives", overall.truePositives());
        o.put("fraud", overall.fraud());
        o.put("honest", overall.honest());
        o.put("honestFlagged", overall.honestFlagged());
        o.put("honestDeclined", overall.honestDeclined());
        m.put("overall", o);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (RuleRow r : rules) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("rule", r.rule().name());
            row.put("flagged", r.flagged());
            row.put("fraud", r.fraud());
            row.put("honest", r.honest());
            row.put("ownPattern", r.ownPattern());
            row.put("precision", json(r.precision()));
            row.put("falseAlarmsPerThousandHonest", json(r.falseAlarmsPerThousandHonest()));
            row.put("falseAlarms", new TreeMap<>(r.falseAlarms()));
            rs.add(row);
        }
        m.put("rules", rs);
        List<Map<String, Object>> ps = new ArrayList<>();
        for (PatternRow p : patterns) {
            if (!p.pattern().fraud()) continue;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("pattern", p.pattern().name());
            row.put("payments", p.payments());
            row.put("flagged", p.flagged());
            row.put("recall", json(p.recall()));
            row.put("incidents", p.incidents());
            row.put("incidentsCaught", p.incidentsCaught());
            ps.add(row);
        }
        m.put("patterns", ps);
        Map<String, Object> decided = new LinkedHashMap<>();
        decisions.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> decided.put(e.getKey().name(), e.getValue()));
        m.put("decisions", decided);
        m.put("honestByBehaviour", new TreeMap<>(honestByBehaviour));
        m.put("honestFlaggedByBehaviour", new TreeMap<>(honestFlaggedByBehaviour));
        return m;
    }

    /** {@code rent 12, savings 3}: most first. */
    private static String byCount(Map<String, Integer> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
    }

    private static double ratio(double part, double whole) {
        return whole == 0 ? Double.NaN : part / whole;
    }

    private static String ratio(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static Double json(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 10_000) / 10_000.0;
    }
}
