package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandShape;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.Json;
import dev.bank.schemas.ReviewStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fraud routes' request bodies. The fraud-rules body is generated field by field, each value drawn as valid or
 * invalid with the value it should become; the property is the whole contract: the body becomes exactly the rules it
 * names (as a SET_FRAUD_RULES command the topic's schema accepts), or a 400 that names every bad and every unknown
 * field and nothing else. Never another exception.
 */
class FraudRequestsTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A field's JSON value, whether the route must take it, and what it must become (null: nothing). */
    record Value(JsonNode json, boolean valid, Object becomes) {}

    @BeforeContainer
    static void loadTheSchema() {
        CommandShape.violations(F.objectNode());
    }

    @Property(tries = 3000)
    void aFraudRulesBodyIsExactlyTheRulesItNamesOrA400NamingEachBadField(
            @ForAll("fraudRulesBodies") Map<String, Value> fields) {
        ObjectNode body = F.objectNode();
        fields.forEach((name, value) -> body.set(name, value.json()));
        Set<String> bad = new TreeSet<>();
        fields.forEach((name, value) -> {
            if (!value.valid()) bad.add(name);
        });
        Command command;
        try {
            command = Requests.fraudRules("acc-1", Json.bytes(body), null);
        } catch (InvalidRequestException e) {
            Statistics.label("answer").collect("400");
            assertThat(bad).as(body.toString()).isNotEmpty();
            assertThat(e.errors().keySet()).as(body.toString()).containsExactlyInAnyOrderElementsOf(bad);
            return;
        }
        Statistics.label("answer").collect("rules");
        assertThat(bad).as(body.toString() + " was taken").isEmpty();
        assertThat(command.type()).isEqualTo(CommandType.SET_FRAUD_RULES);
        assertThat(command.accountId()).isEqualTo("acc-1");
        assertThat(CommandShape.violations(Json.MAPPER.valueToTree(command))).as(command.toString()).isEmpty();
        FraudRules rules = command.fraudRules();
        assertThat(rules.enabled()).isEqualTo(becomes(fields, "enabled"));
        assertThat(rules.velocityMaxCount()).isEqualTo(becomes(fields, "velocityMaxCount"));
        assertThat(rules.largeAmountFactor()).isEqualTo(becomes(fields, "largeAmountFactor"));
        assertSameAmount(rules.dailyOutflowCap(), becomes(fields, "dailyOutflowCap"));
        assertSameAmount(rules.newPayeeAmount(), becomes(fields, "newPayeeAmount"));
        assertSameAmount(rules.structuringThreshold(), becomes(fields, "structuringThreshold"));
        if (fields.containsKey("transactionId")) {
            assertThat(command.transactionId()).isEqualTo(becomes(fields, "transactionId"));
        }
    }

    @Property(tries = 500)
    void anyBytesOnTheFraudRoutesAreACommandOrA400(@ForAll byte[] body) {
        for (var route : List.<java.util.function.Function<byte[], Command>>of(
                b -> Requests.fraudRules("acc-1", b, null),
                b -> Requests.decideReview("acc-1", "pay-1", true, b, null))) {
            try {
                Command command = route.apply(body);
                assertThat(CommandShape.violations(Json.MAPPER.valueToTree(command))).isEmpty();
            } catch (InvalidRequestException e) {
                assertThat(e.errors()).isNotEmpty();
            }
        }
    }

    @Example
    void emptyRulesPutTheAccountBackOnTheDefaults() {
        Command command = Requests.fraudRules("acc-1", bytes("{}"), "rules-1");
        assertThat(command.fraudRules()).isEqualTo(FraudRules.DEFAULTS);
        assertThat(command.transactionId()).isEqualTo("rules-1");
    }

    @Example
    void amountsAreMajorUnitsAsDecimalStringsOrNumbersAndCountsWholeNumbers() {
        Command command = Requests.fraudRules("acc-1", bytes("{\"enabled\":true,\"velocityMaxCount\":3,"
                + "\"largeAmountFactor\":2,\"dailyOutflowCap\":\"1000.50\",\"newPayeeAmount\":100,"
                + "\"structuringThreshold\":1e4}"), null);
        assertThat(command.fraudRules()).isEqualTo(new FraudRules(true, 3, 2, "1000.50", "100", "10000"));
        // zero is a threshold too (every payment counts); below zero is not
        assertThat(Requests.fraudRules("acc-1", bytes("{\"newPayeeAmount\":\"0.00\"}"), null).fraudRules()
                .newPayeeAmount()).isEqualTo("0.00");
        assertThat(errors("{\"newPayeeAmount\":-0.01}").get("newPayeeAmount")).contains("zero or more");
        assertThat(errors("{\"velocityMaxCount\":\"3\",\"largeAmountFactor\":2.0,\"newPayeeAmount\":\"-1\","
                + "\"enabled\":\"false\"}")).containsOnlyKeys("velocityMaxCount", "largeAmountFactor",
                "newPayeeAmount", "enabled");
        assertThat(errors("{\"velocityMaxCount\":1001}").get("velocityMaxCount")).contains("1 to 1000");
        assertThat(errors("{\"largeAmountFactor\":1}").get("largeAmountFactor")).contains("2 to 1000000");
    }

    @Example
    void anUnknownFieldIsRefusedSoAMisspeltThresholdIsNeverIgnored() {
        assertThat(errors("{\"newPayeAmount\":\"500\"}").get("newPayeAmount")).contains("not a fraud rules field");
        // thousands of junk fields get a short answer
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 2000; i++) many.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":1");
        Map<String, String> errors = errors(many.append('}').toString());
        assertThat(errors).hasSize(6).containsKey("body");
        assertThat(errors.get("body")).contains("2000 fields");
    }

    @Example
    void hostileBodiesAreRefusedAndSaid() {
        assertThat(errors("{\"newPayeeAmount\":1,\"newPayeeAmount\":1000000}").get("body"))
                .contains("Duplicate field 'newPayeeAmount'");
        assertThat(errors("{} {}").get("body")).contains("more after the JSON object");
        assertThat(errors("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}").get("body")).contains("nests deeper");
        for (String huge : List.of("1e10000000", "1E+999999999", "\"" + "9".repeat(100_000) + "\"")) {
            assertThat(errors("{\"dailyOutflowCap\":" + huge + ",\"velocityMaxCount\":" + huge + "}"))
                    .containsKeys("dailyOutflowCap", "velocityMaxCount");
        }
        assertThat(errors("[]").get("body")).contains("JSON object");
        assertThatThrownBy(() -> Requests.fraudRules("acc-1", new byte[0], null))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Example
    void aDecisionIsItsOwnCommandNamingTheReview() {
        Command approve = Requests.decideReview("acc-1", "pay-1", true, null, "approve-1");
        assertThat(approve.type()).isEqualTo(CommandType.APPROVE_REVIEW);
        assertThat(approve.reviewId()).isEqualTo("pay-1");
        assertThat(approve.transactionId()).isEqualTo("approve-1");
        Command reject = Requests.decideReview("acc-1", "pay-1", false, bytes("{\"transactionId\":\"reject-1\"}"), null);
        assertThat(reject.type()).isEqualTo(CommandType.REJECT_REVIEW);
        assertThat(reject.transactionId()).isEqualTo("reject-1");
        assertThat(Requests.decideReview("acc-1", "pay-1", true, new byte[0], null).transactionId())
                .as("generated when absent").isNotBlank();
        assertThatThrownBy(() -> Requests.decideReview("acc-1", "pay-1", true, bytes("{\"transactionId\":\"a\"}"),
                "b")).isInstanceOf(InvalidRequestException.class);
    }

    @Example
    void reviewQueryParametersAreCheckedWithTheQueueDefaultingToPending() {
        assertThat(ReviewReads.params(null, null, ReviewStatus.PENDING)).containsExactly(Map.entry("status", "PENDING"));
        assertThat(ReviewReads.params(null, null, null)).isEmpty();
        assertThat(ReviewReads.params("expired", "0010", null))
                .containsExactly(Map.entry("status", "EXPIRED"), Map.entry("limit", "10"));
        for (String limit : List.of("0", "1001", "-1", "1e3", "99999", "")) {
            assertThatThrownBy(() -> ReviewReads.params(null, limit, ReviewStatus.PENDING)).as(limit)
                    .isInstanceOf(InvalidRequestException.class);
        }
        assertThatThrownBy(() -> ReviewReads.params("OPEN", null, null)).isInstanceOf(InvalidRequestException.class);
    }

    // ---- the generated bodies ----

    @Provide
    Arbitrary<Map<String, Value>> fraudRulesBodies() {
        Map<String, Arbitrary<Value>> fields = new LinkedHashMap<>();
        fields.put("enabled", Arbitraries.oneOf(
                Arbitraries.of(true, false).map(b -> new Value(F.booleanNode(b), true, b)),
                Arbitraries.of(F.textNode("true"), F.numberNode(1), F.textNode("no")).map(j -> invalid(j))));
        fields.put("velocityMaxCount", count(1, 1000));
        fields.put("largeAmountFactor", count(2, 1_000_000));
        for (String amount : List.of("dailyOutflowCap", "newPayeeAmount", "structuringThreshold")) {
            fields.put(amount, amount());
        }
        fields.put("transactionId", Arbitraries.oneOf(
                Arbitraries.strings().withChars("abz09-:.").ofMinLength(1).ofMaxLength(40)
                        .map(id -> new Value(F.textNode(id), true, id)),
                Arbitraries.of(F.textNode("no spaces"), F.numberNode(7), F.textNode("x".repeat(129))).map(j -> invalid(j))));
        // what a client might misspell or confuse with other routes' fields
        for (String unknown : List.of("newPayeAmount", "dailyOutflowLimit", "accountId", "rules")) {
            fields.put(unknown, Arbitraries.of(F.numberNode(1), F.textNode("500"), F.nullNode()).map(j -> invalid(j)));
        }
        List<String> names = List.copyOf(fields.keySet());
        List<Arbitrary<Optional<Value>>> each = names.stream()
                .map(name -> fields.get(name).optional(name.equals("newPayeAmount") || name.equals("dailyOutflowLimit")
                        || name.equals("accountId") || name.equals("rules") ? 0.05 : 0.5)).toList();
        return Combinators.combine(each).as(values -> {
            Map<String, Value> body = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                int field = i;
                values.get(i).ifPresent(v -> body.put(names.get(field), v));
            }
            return body;
        });
    }

    /** A whole number in [min, max] is taken; anything else (out of range, fractional, a string) is not. */
    private static Arbitrary<Value> count(int min, int max) {
        Arbitrary<Value> valid = Arbitraries.integers().between(min, max).map(n -> new Value(F.numberNode(n), true, n));
        Arbitrary<Value> invalid = Arbitraries.oneOf(
                Arbitraries.integers().between(Integer.MIN_VALUE, min - 1).map(n -> invalid(F.numberNode(n))),
                Arbitraries.integers().between(max + 1, Integer.MAX_VALUE).map(n -> invalid(F.numberNode(n))),
                Arbitraries.integers().between(min, max).map(n -> invalid(F.textNode(String.valueOf(n)))),
                Arbitraries.integers().between(min, max).map(n -> invalid(F.numberNode(new BigDecimal(n + ".5")))),
                Arbitraries.of(invalid(F.numberNode(new java.math.BigInteger("99999999999999999999"))),
                        invalid(F.booleanNode(true)), invalid(F.arrayNode())));
        return Arbitraries.frequencyOf(Tuple.of(3, valid), Tuple.of(1, invalid), Tuple.of(1,
                Arbitraries.just(new Value(F.nullNode(), true, null))));
    }

    /** Major units of zero or more, as a number or a decimal string, are taken; negative, junk or huge are not. */
    private static Arbitrary<Value> amount() {
        Arbitrary<BigDecimal> decimal = Combinators.combine(Arbitraries.longs().between(1, 100_000_000_000L),
                Arbitraries.integers().between(0, 4)).as(BigDecimal::valueOf);
        Arbitrary<Value> valid = Arbitraries.oneOf(
                decimal.map(d -> new Value(F.textNode(d.toPlainString()), true, d)),
                decimal.map(d -> new Value(F.numberNode(d), true, d)),
                Arbitraries.of("0", "0.00", "0.0000").map(z -> new Value(F.textNode(z), true, new BigDecimal(z))),
                Arbitraries.just(new Value(F.numberNode(BigDecimal.ZERO), true, BigDecimal.ZERO)));
        Arbitrary<Value> invalid = Arbitraries.oneOf(
                decimal.map(d -> invalid(F.textNode("-" + d.toPlainString()))),
                decimal.map(d -> invalid(F.numberNode(d.negate()))),
                Arbitraries.of(invalid(F.textNode("12,50")), invalid(F.textNode("")), invalid(F.textNode("abc")),
                        invalid(F.booleanNode(false)), invalid(F.objectNode()), invalid(F.textNode("1" + "0".repeat(40))),
                        invalid(F.numberNode(new BigDecimal("1e50")))));
        return Arbitraries.frequencyOf(Tuple.of(3, valid), Tuple.of(1, invalid), Tuple.of(1,
                Arbitraries.just(new Value(F.nullNode(), true, null))));
    }

    private static Value invalid(JsonNode json) {
        return new Value(json, false, null);
    }

    private static Object becomes(Map<String, Value> fields, String name) {
        Value v = fields.get(name);
        return v == null ? null : v.becomes();
    }

    private static void assertSameAmount(String actual, Object expected) {
        if (expected == null) {
            assertThat(actual).isNull();
        } else {
            assertThat(new BigDecimal(actual)).isEqualByComparingTo((BigDecimal) expected);
        }
    }

    private static Map<String, String> errors(String body) {
        try {
            Requests.fraudRules("acc-1", bytes(body), null);
        } catch (InvalidRequestException e) {
            return e.errors();
        }
        throw new AssertionError("expected " + body + " to be refused");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
