package dev.bank.schemas;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validation of a command against {@code command.schema.json}, with a fast path. The general validator walks the
 * schema for every record (a sizeable share of the stream thread; docs/performance.md); almost every command is
 * plainly valid, which a direct check of the same rules can tell in a fraction of that. The check is one-sided: it
 * answers "valid" only when every rule certainly holds (known fields only, ASCII-only strings within limits), and
 * anything else goes to the schema validator, which has the last word and writes the messages.
 * {@code CommandShapeTest} holds the fast path to the validator on generated documents.
 */
public final class CommandShape {
    private static final Set<String> FIELDS = Set.of("type", "transactionId", "accountId", "amount", "currency",
            "toAccountId", "reference", "interestRate", "principal", "admin", "owner");

    private CommandShape() {}

    /** The schema violations of a command document, one readable line each; empty when it is valid. */
    public static List<String> violations(JsonNode document) {
        if (certainlyValid(document)) return List.of();
        // the schema validator expands a number's exponent digit by digit: 1E+999999 takes minutes of a thread
        if (hasHugeExponent(document)) {
            return List.of("a number may not have more than " + Json.MAX_NUMBER_LENGTH + " digits before or after its point");
        }
        return JsonSchemas.violations(JsonSchemas.COMMAND, document);
    }

    /** Whether any number in the document has a scale beyond what {@link Json#MAX_NUMBER_LENGTH} digits can write. */
    static boolean hasHugeExponent(JsonNode node) {
        if (node == null) return false;
        if (node.isBigDecimal()) return Math.abs(node.decimalValue().scale()) > Json.MAX_NUMBER_LENGTH;
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasHugeExponent(child)) return true;
            }
        }
        return false;
    }

    /** True only when the document satisfies every rule of {@code command.schema.json}; false when unsure. */
    static boolean certainlyValid(JsonNode d) {
        if (d == null || !d.isObject()) return false;
        for (Iterator<String> names = d.fieldNames(); names.hasNext(); ) {
            if (!FIELDS.contains(names.next())) return false;
        }
        String type = text(d, "type");
        if (type == null || !Ids.validTransactionId(text(d, "transactionId"))
                || !Ids.validAccountId(text(d, "accountId"))) {
            return false;
        }
        JsonNode amount = d.get("amount");
        if (amount != null && !amount(amount)) return false;
        if (d.has("currency") && !Money.currencyCode(text(d, "currency"))) return false;
        if (d.has("toAccountId") && !Ids.validAccountId(text(d, "toAccountId"))) return false;
        if (d.has("reference") && !ascii(text(d, "reference"), 140)) return false;
        if (d.has("interestRate") && !rate(text(d, "interestRate"))) return false;
        if (d.has("principal") && !Ids.validPrincipal(text(d, "principal"))) return false;
        if (d.has("owner") && !Ids.validPrincipal(text(d, "owner"))) return false;
        if (d.has("admin") && !d.get("admin").isBoolean()) return false;
        return switch (type) {
            case "OPEN_ACCOUNT" -> d.has("currency");
            case "CREDIT", "DEBIT" -> amount != null;
            case "TRANSFER" -> amount != null && d.has("toAccountId");
            case "SET_INTEREST_RATE" -> d.has("interestRate");
            default -> false;
        };
    }

    /** One of the schema's two forms: a decimal string of at most 40 characters, or a number above zero. */
    private static boolean amount(JsonNode amount) {
        if (amount.isTextual()) return amount.textValue().length() <= 40 && Money.plainDecimal(amount.textValue());
        return amount.isNumber() && amount.decimalValue().signum() > 0;
    }

    /** The field's string value; null when absent or not a string. */
    private static String text(JsonNode d, String field) {
        JsonNode node = d.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    /** Printable ASCII only, so its length in characters is its length in code points, as the schema counts. */
    private static boolean ascii(String s, int maxLength) {
        if (s == null || s.length() > maxLength) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < ' ' || s.charAt(i) > '~') return false;
        }
        return true;
    }

    /** {@code ^[0-9]{1,3}(\.[0-9]{1,20})?$}. */
    private static boolean rate(String s) {
        if (s == null || !Money.plainDecimal(s)) return false;
        int point = s.indexOf('.');
        int whole = point < 0 ? s.length() : point;
        return whole <= 3 && (point < 0 || s.length() - point - 1 <= 20);
    }
}
