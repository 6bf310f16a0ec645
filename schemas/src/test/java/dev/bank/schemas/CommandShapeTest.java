package dev.bank.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class CommandShapeTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<String> FIELDS = List.of("type", "transactionId", "accountId", "amount", "currency",
            "toAccountId", "reference", "interestRate", "extra");
    /** Values near every rule's edge, of every JSON type. */
    private static final List<JsonNode> VALUES = List.of(
            NODES.textNode("OPEN_ACCOUNT"), NODES.textNode("CREDIT"), NODES.textNode("DEBIT"),
            NODES.textNode("TRANSFER"), NODES.textNode("SET_INTEREST_RATE"), NODES.textNode("credit"),
            NODES.textNode(""), NODES.textNode("acc-1"), NODES.textNode("tx:1"), NODES.textNode("a b"),
            NODES.textNode("a\n"), NODES.textNode("é"), NODES.textNode("x".repeat(64)), NODES.textNode("x".repeat(65)),
            NODES.textNode("x".repeat(128)), NODES.textNode("x".repeat(129)), NODES.textNode("r".repeat(140)),
            NODES.textNode("r".repeat(141)), NODES.textNode("ü".repeat(70)), NODES.textNode("12.34"),
            NODES.textNode("0"), NODES.textNode("0.00"), NODES.textNode("1."), NODES.textNode(".5"),
            NODES.textNode("-1"), NODES.textNode("1e3"), NODES.textNode("9".repeat(41)), NODES.textNode("9".repeat(40)),
            NODES.textNode("EUR"), NODES.textNode("eur"), NODES.textNode("EURO"), NODES.textNode("EUR\n"),
            NODES.textNode("0.025"), NODES.textNode("1000"), NODES.textNode("100.12345678901234567890"),
            NODES.textNode("100.123456789012345678901"), NODES.numberNode(10), NODES.numberNode(0),
            NODES.numberNode(-5), NODES.numberNode(new BigDecimal("0.001")), NODES.numberNode(1.5),
            NODES.booleanNode(true), NODES.nullNode(), NODES.objectNode(), NODES.arrayNode());

    @Test
    void refusesAHugeExponentAtOnceInsteadOfExpandingIt() throws Exception {
        // the schema validator would expand 1E+999999 digit by digit for minutes, stalling the partition
        for (String number : new String[] {"1E+999999", "1E-999999", "-7.5E+2147483647"}) {
            long started = System.nanoTime();
            List<String> violations = CommandShape.violations(Json.MAPPER.readTree(
                    "{\"type\":" + number + ",\"transactionId\":\"t\",\"accountId\":\"a\",\"amount\":[" + number + "]}"));
            assertThat(violations).as(number).singleElement().asString().contains("digits before or after its point");
            assertThat((System.nanoTime() - started) / 1_000_000).as(number).isLessThan(1_000);
        }
        assertThat(CommandShape.violations(Json.MAPPER.readTree(
                "{\"type\":\"CREDIT\",\"transactionId\":\"t\",\"accountId\":\"a\",\"amount\":1E+2}")))
                .as("an ordinary exponent still goes to the schema").isEmpty();
    }

    @Test
    void saysValidOnlyWhenTheSchemaAgrees() {
        Random random = new Random(2026);
        int fastValid = 0;
        for (int i = 0; i < 20_000; i++) {
            ObjectNode doc = valid(random);
            int mutations = random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                String field = FIELDS.get(random.nextInt(FIELDS.size()));
                if (random.nextInt(3) == 0) doc.remove(field);
                else doc.set(field, VALUES.get(random.nextInt(VALUES.size())));
            }
            List<String> schema = JsonSchemas.violations(JsonSchemas.COMMAND, doc);
            if (CommandShape.certainlyValid(doc)) {
                fastValid++;
                assertThat(schema).as("fast path accepted %s", doc).isEmpty();
            }
            assertThat(CommandShape.violations(doc)).as(doc.toString()).isEqualTo(schema);
        }
        assertThat(fastValid).as("documents the fast path decided").isGreaterThan(4_000);
    }

    @Test
    void everyWellFormedCommandTakesTheFastPath() {
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            ObjectNode doc = valid(random);
            assertThat(CommandShape.certainlyValid(doc)).as(doc.toString()).isTrue();
            assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, doc)).isEmpty();
        }
        assertThat(CommandShape.certainlyValid(Json.MAPPER.valueToTree(
                new Command(CommandType.DEBIT, "tx-1", "acc-1", "12.34", null)))).isTrue();
    }

    /** A valid command of a random type, with its optional fields present or not. */
    private static ObjectNode valid(Random random) {
        ObjectNode doc = NODES.objectNode();
        String type = List.of("OPEN_ACCOUNT", "CREDIT", "DEBIT", "TRANSFER", "SET_INTEREST_RATE").get(random.nextInt(5));
        doc.put("type", type);
        doc.put("transactionId", "tx-" + random.nextInt(1000) + ":x");
        doc.put("accountId", "acc_" + random.nextInt(1000));
        boolean amountRequired = type.equals("CREDIT") || type.equals("DEBIT") || type.equals("TRANSFER");
        if (amountRequired || random.nextBoolean()) {
            if (random.nextBoolean()) doc.put("amount", random.nextInt(10_000) + 1 + "." + random.nextInt(10) + "5");
            else doc.put("amount", new BigDecimal(random.nextInt(10_000) + 1).movePointLeft(2));
        }
        if (type.equals("OPEN_ACCOUNT") || random.nextBoolean()) doc.put("currency", "EUR");
        if (type.equals("TRANSFER")) doc.put("toAccountId", "acc-" + random.nextInt(1000));
        if (type.equals("TRANSFER") && random.nextBoolean()) doc.put("reference", "rent " + random.nextInt(12));
        if (type.equals("SET_INTEREST_RATE") || (type.equals("OPEN_ACCOUNT") && random.nextBoolean())) {
            doc.put("interestRate", "0.0" + random.nextInt(100));
        }
        return doc;
    }
}
