package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandShape;
import dev.bank.schemas.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a client sends, turning it into a command ends in one of two ways, quickly: an
 * {@link InvalidRequestException} (a 400 naming the fields), or a command the topic's schema accepts. Never another
 * exception (a 500), never a command the processors would dead-letter, never seconds of CPU on a short number.
 */
class RequestsPropertiesTest {
    /** Far above a normal build (well under a millisecond) and far below the minutes a huge exponent once cost. */
    private static final long QUICK_MILLIS = 1000;
    private static final List<String> FIELDS = List.of("accountId", "fromAccountId", "toAccountId", "amount",
            "initialDeposit", "interestRate", "type", "currency", "transactionId", "reference");

    /** The schema validator loads its schema on first use; that is start-up, not the cost of a request. */
    @BeforeContainer
    static void loadTheSchema() {
        CommandShape.violations(JsonNodeFactory.instance.objectNode());
    }

    @Property(tries = 1000)
    void anyBytesAreACommandOrInvalid(@ForAll byte[] body, @ForAll("idempotencyKeys") String key) {
        for (Kind kind : Kind.values()) holds(() -> kind.build(body, key));
    }

    @Property(tries = 1000)
    void anyTextIsACommandOrInvalid(@ForAll String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (Kind kind : Kind.values()) holds(() -> kind.build(bytes, null));
    }

    @Property(tries = 2000)
    void anyObjectOfOurFieldsIsACommandOrInvalid(@ForAll("bodies") ObjectNode body,
                                                  @ForAll("idempotencyKeys") String key) {
        byte[] bytes = Json.bytes(body);
        for (Kind kind : Kind.values()) {
            Statistics.label(kind.name()).collect(holds(() -> kind.build(bytes, key)) ? "command" : "invalid");
        }
    }

    @Property(tries = 500)
    void hugeAndLongNumbersAreRefusedQuickly(@ForAll("hostileNumbers") String number) {
        for (String field : List.of("amount", "initialDeposit", "interestRate")) {
            byte[] body = ("{\"accountId\":\"a\",\"fromAccountId\":\"a\",\"toAccountId\":\"b\",\"type\":\"credit\","
                    + "\"currency\":\"EUR\",\"" + field + "\":" + number + "}").getBytes(StandardCharsets.UTF_8);
            for (Kind kind : Kind.values()) holds(() -> kind.build(body, null));
        }
    }

    /** True when a command came out (and the schema takes it), false when the request was refused as invalid. */
    private static boolean holds(Supplier<Command> build) {
        long started = System.nanoTime();
        boolean built;
        try {
            Command command = build.get();
            assertThat(CommandShape.violations(Json.MAPPER.valueToTree(command))).as(command.toString()).isEmpty();
            built = true;
        } catch (InvalidRequestException e) {
            assertThat(e.errors()).isNotEmpty();
            e.errors().values().forEach(message -> assertThat(message.length()).isLessThan(400));
            built = false;
        }
        assertThat((System.nanoTime() - started) / 1_000_000).as("milliseconds").isLessThan(QUICK_MILLIS);
        return built;
    }

    enum Kind {
        OPEN, TRANSACTION, TRANSFER, INTEREST_RATE, FRAUD_RULES, APPROVE_REVIEW;

        Command build(byte[] body, String key) {
            return switch (this) {
                case OPEN -> Requests.openAccount(body, key);
                case TRANSACTION -> Requests.transaction(body, key);
                case TRANSFER -> Requests.transfer(body, key);
                case INTEREST_RATE -> Requests.interestRate("acc-1", body, key);
                case FRAUD_RULES -> Requests.fraudRules("acc-1", body, key);
                case APPROVE_REVIEW -> Requests.decideReview("acc-1", "pay-1", true, body, key);
            };
        }
    }

    @Provide
    Arbitrary<String> idempotencyKeys() {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(null)),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(200)),
                Tuple.of(1, Arbitraries.strings().withChars("abc-:._").ofMinLength(1).ofMaxLength(130)));
    }

    /** Each of our fields present or not, mostly with a plausible value and sometimes with junk. */
    @Provide
    Arbitrary<ObjectNode> bodies() {
        List<Arbitrary<Optional<JsonNode>>> fields = FIELDS.stream()
                .map(name -> value(name).optional(0.85)).toList();
        return Combinators.combine(fields).as(values -> {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < FIELDS.size(); i++) {
                int field = i;
                values.get(i).ifPresent(v -> body.set(FIELDS.get(field), v));
            }
            return body;
        });
    }

    private static Arbitrary<JsonNode> value(String field) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        Arbitrary<JsonNode> junk = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300).map(f::textNode),
                Arbitraries.integers().map(f::numberNode),
                Arbitraries.just(f.nullNode()), Arbitraries.just(f.objectNode()), Arbitraries.just(f.arrayNode()),
                Arbitraries.just(f.booleanNode(true)));
        Arbitrary<JsonNode> plausible = switch (field) {
            case "accountId", "fromAccountId", "toAccountId", "transactionId" -> Arbitraries.frequencyOf(
                    Tuple.of(6, Arbitraries.strings().withChars("abz09-").ofMinLength(1).ofMaxLength(20)),
                    Tuple.of(1, Arbitraries.strings().withChars("aZ09._-:").ofMinLength(1).ofMaxLength(130)))
                    .map(f::textNode);
            case "interestRate" -> Arbitraries.frequencyOf(Tuple.of(3, Combinators.combine(
                            Arbitraries.longs().between(0, 1_000_000), Arbitraries.integers().between(6, 9))
                    .as(BigDecimal::valueOf).map(d -> f.textNode(d.toPlainString()))),
                    Tuple.of(1, decimals().map(f::numberNode)));
            case "amount", "initialDeposit" -> Arbitraries.oneOf(
                    decimals().map(f::numberNode), decimals().map(d -> f.textNode(d.toString())),
                    decimals().map(d -> f.textNode(Math.abs(d.scale()) < 100 ? d.toPlainString() : d.toString())));
            case "type" -> Arbitraries.of("credit", "debit", "credit", "debit", "credit", "debit", "CREDIT", "Debit", "transfer")
                    .map(f::textNode);
            case "currency" -> Arbitraries.of("EUR", "EUR", "EUR", "EUR", "JPY", "BHD", "XXX", "eur", "EURO", "XAU")
                    .map(f::textNode);
            default -> Arbitraries.strings().ofMaxLength(160).map(f::textNode);
        };
        return Arbitraries.frequencyOf(Tuple.of(15, plausible), Tuple.of(1, junk));
    }

    /** Mostly ordinary amounts and rates, some long, and some with exponents far beyond any amount. */
    private static Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigDecimal> ordinary = Combinators.combine(Arbitraries.longs().between(0, 10_000_000),
                Arbitraries.integers().between(0, 3)).as(BigDecimal::valueOf);
        Arbitrary<BigDecimal> wide = Combinators.combine(
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(45).negate(), BigInteger.TEN.pow(45)),
                Arbitraries.integers().between(-5, 45)).as(BigDecimal::new);
        Arbitrary<BigDecimal> huge = Combinators.combine(Arbitraries.bigIntegers().between(BigInteger.ONE,
                BigInteger.TEN.pow(20)), Arbitraries.integers().between(-100_000_000, 100_000_000)).as(BigDecimal::new);
        return Arbitraries.frequencyOf(Tuple.of(12, ordinary), Tuple.of(2, wide), Tuple.of(1, huge));
    }

    @Provide
    Arbitrary<String> hostileNumbers() {
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(99);
        Arbitrary<String> exponent = Arbitraries.integers().between(-999_999_999, 999_999_999).map(String::valueOf);
        return Arbitraries.oneOf(
                Combinators.combine(digits, exponent).as((d, e) -> d + "e" + e),
                Combinators.combine(digits, digits).as((a, b) -> a + "." + b).filter(s -> s.length() <= 100),
                digits,
                Arbitraries.of("1e10000000", "1E+999999999", "1e-999999999", "9.9e2147483647", "-1e10000000",
                        "0e99999999", "0.0000000000000000000000000000000000000001"));
    }
}
