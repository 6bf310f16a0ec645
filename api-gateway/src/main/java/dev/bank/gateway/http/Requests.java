package dev.bank.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandShape;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.FxRate;
import dev.bank.schemas.Ids;
import dev.bank.schemas.InterestRates;
import dev.bank.schemas.Json;
import dev.bank.schemas.Money;
import dev.bank.schemas.Problem;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns REST request bodies into commands, collecting every problem per field so a client can fix them all at
 * once. Amounts are read as JSON numbers or decimal strings in major units ({@code 200}, {@code "12.34"}) and
 * never pass through a {@code double}. Whether the amount fits the account's currency is the processor's call
 * (only it knows the account); when the request names the currency, the gateway already checks the scale.
 */
public final class Requests {
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private Requests() {}

    /** {@code {"accountId","amount","type":"credit"|"debit","transactionId"?,"currency"?}}. */
    public static Command transaction(byte[] body, String idempotencyKey) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String accountId = accountId(json, errors, true);
        CommandType type = null;
        String typeText = text(json, "type");
        if (typeText == null) {
            errors.put("type", "is required: credit or debit");
        } else {
            switch (typeText.toLowerCase(Locale.ROOT)) {
                case "credit" -> type = CommandType.CREDIT;
                case "debit" -> type = CommandType.DEBIT;
                default -> errors.put("type", "must be credit or debit, was " + Problem.excerpt(typeText));
            }
        }
        String currency = currency(json, errors, false);
        String amount = amount(json, "amount", errors, true, currency);
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(new Command(type, transactionId, accountId, amount, currency));
    }

    /**
     * {@code {"currency","accountId"?,"initialDeposit"?,"interestRate"?,"owner"?,"transactionId"?}}; a missing
     * accountId is generated, a missing rate is the processor's configured default, a missing owner is whoever opens
     * it (naming someone else is an admin's act).
     */
    public static Command openAccount(byte[] body, String idempotencyKey) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String accountId = accountId(json, errors, false);
        String currency = currency(json, errors, true);
        String deposit = amount(json, "initialDeposit", errors, false, currency);
        String rate = rate(json, errors, false);
        String owner = text(json, "owner");
        if (owner != null && !Ids.validPrincipal(owner)) errors.put("owner", Ids.PRINCIPAL_RULE);
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        if (accountId == null) accountId = "acc-" + UUID.randomUUID();
        Command open = Command.open(transactionId, accountId, currency, deposit, rate);
        return checked(owner == null ? open : open.ownedBy(owner));
    }

    /**
     * {@code {"fromAccountId","toAccountId","amount","currency"?,"transactionId"?,"reference"?}}; the
     * transactionId is the transfer's id.
     */
    public static Command transfer(byte[] body, String idempotencyKey) {
        return transfer(body, idempotencyKey, quoteId -> {
            throw new IllegalStateException("no FX quotes here");
        });
    }

    /**
     * As {@link #transfer(byte[], String)}, with an optional {@code quoteId}: a transfer between currencies names the
     * quote it converts at, and {@code quotes} turns the id into the rate the command carries (or refuses it).
     */
    public static Command transfer(byte[] body, String idempotencyKey, Function<String, FxQuote> quotes) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String from = accountIdField(json, "fromAccountId", errors, true);
        String to = accountIdField(json, "toAccountId", errors, true);
        if (from != null && from.equals(to)) errors.put("toAccountId", "must differ from fromAccountId");
        String currency = currency(json, errors, false);
        String amount = amount(json, "amount", errors, true, currency);
        String reference = text(json, "reference");
        if (reference != null && reference.length() > 140) errors.put("reference", "must be at most 140 characters");
        String transactionId = transactionId(json, idempotencyKey, errors);
        String quoteId = optionalId(json, "quoteId", errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        Command transfer = new Command(CommandType.TRANSFER, transactionId, from, amount, currency, to, reference);
        return checked(quoteId == null ? transfer : transfer.convertedAt(quotes.apply(quoteId)));
    }

    /** What {@code POST /fx/quotes} asks: a pair, and optionally an amount of {@code from} to convert. */
    public record QuoteRequest(String from, String to, String amount) {}

    /** {@code {"from","to","amount"?}} for {@code POST /fx/quotes}. */
    public static QuoteRequest quote(byte[] body) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String from = currencyField(json, "from", errors, true);
        String to = currencyField(json, "to", errors, true);
        if (from != null && from.equals(to)) errors.put("to", "must differ from from");
        String amount = amount(json, "amount", errors, false, from);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return new QuoteRequest(from, to, amount);
    }

    /** The longest validity an admin may give a rate through the API. */
    static final Duration MAX_RATE_VALIDITY = Duration.ofDays(31);

    /**
     * {@code {"base","quote","rate","validFor"|"validUntil","validFrom"?,"rateId"?}} for {@code POST /fx/rates}: a rate
     * an admin publishes, valid for an ISO-8601 duration from now ({@code "PT1H"}) or until an instant; its id is
     * generated unless given. {@code now} is the gateway's clock.
     */
    public static FxRate rate(byte[] body, Instant now) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String base = currencyField(json, "base", errors, true);
        String quote = currencyField(json, "quote", errors, true);
        if (base != null && base.equals(quote)) errors.put("quote", "must differ from base");
        String rate = null;
        JsonNode rateNode = json.get("rate");
        if (rateNode == null || rateNode.isNull()) {
            errors.put("rate", "is required: units of quote per unit of base, such as \"1.0832\"");
        } else {
            String text = rateNode.isNumber()
                    ? Money.plainText(rateNode.decimalValue(), FxConversion.MAX_RATE_LENGTH)
                    : rateNode.isTextual() ? rateNode.textValue().trim() : null;
            try {
                FxConversion.rate(text);
                rate = text;
            } catch (Money.InvalidAmountException e) {
                errors.put("rate", e.getMessage() + ", such as \"1.0832\"");
            }
        }
        Instant from = instant(json, "validFrom", errors);
        Instant until = instant(json, "validUntil", errors);
        String validFor = text(json, "validFor");
        if ((until == null) == (validFor == null) && !errors.containsKey("validUntil")) {
            errors.put("validFor", "send either validFor (an ISO-8601 duration such as PT1H) or validUntil");
        } else if (validFor != null) {
            try {
                Duration d = Duration.parse(validFor);
                if (d.isNegative() || d.isZero() || d.compareTo(MAX_RATE_VALIDITY) > 0) {
                    errors.put("validFor", "must be positive and at most " + MAX_RATE_VALIDITY.toDays() + " days");
                } else {
                    until = now.plus(d).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
                }
            } catch (java.time.format.DateTimeParseException e) {
                errors.put("validFor", "must be an ISO-8601 duration such as PT1H, was " + Problem.excerpt(validFor));
            }
        }
        if (until != null && !until.isAfter(from == null ? now : from)) {
            errors.put("validUntil", "must be after " + (from == null ? "now" : "validFrom"));
        }
        String rateId = optionalId(json, "rateId", errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return new FxRate(rateId != null ? rateId : "rate-" + UUID.randomUUID(), base, quote, rate,
                from == null ? null : from.toString(), until.toString());
    }

    private static Instant instant(JsonNode json, String field, Map<String, String> errors) {
        String text = text(json, field);
        if (text == null) return null;
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            errors.put(field, "must be an ISO-8601 instant with an offset, such as 2026-12-01T12:00:00Z, was "
                    + Problem.excerpt(text));
            return null;
        }
    }

    /** An optional id field: a string by the transaction id rules, or null when absent. */
    private static String optionalId(JsonNode json, String field, Map<String, String> errors) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual() || !Ids.validTransactionId(node.textValue())) {
            errors.put(field, "must be a string: " + Ids.TRANSACTION_ID_RULE);
            return null;
        }
        return node.textValue();
    }

    /**
     * {@code {"interestRate","transactionId"?}} for {@code PUT /accounts/{accountId}/interest-rate}: the rate as a
     * decimal string or JSON number, read exactly ({@code "0.025"} = 2.5% a year).
     */
    public static Command interestRate(String accountId, byte[] body, String idempotencyKey) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        // accountId is a path parameter, which PathIds has checked before any route runs
        String rate = rate(json, errors, true);
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.setInterestRate(transactionId, accountId, rate));
    }

    /**
     * {@code {"overdraftLimit"?,"dailyOutflowLimit"?,"debitInterestRate"?,"transactionId"?}} for
     * {@code PUT /accounts/{accountId}/limits}: the account's limits as a whole, each replacing the one before; one left
     * out is none (no overdraft, no daily limit, no debit interest). Limits are amounts in major units, zero allowed.
     */
    public static Command limits(String accountId, byte[] body, String idempotencyKey) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String overdraft = amount(json, "overdraftLimit", errors, false, null, true);
        String daily = amount(json, "dailyOutflowLimit", errors, false, null, true);
        String debitRate = rate(json, "debitInterestRate", errors, false);
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.setLimits(transactionId, accountId, overdraft, daily, debitRate));
    }

    /**
     * Freeze, unfreeze or close ({@code POST /accounts/{accountId}/freeze} and so on): the body is optional, and
     * names at most the {@code transactionId} (or send the {@code Idempotency-Key} header).
     */
    public static Command lifecycle(CommandType type, String accountId, byte[] body, String idempotencyKey) {
        JsonNode json = body == null || body.length == 0 ? Json.MAPPER.createObjectNode() : parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.of(type, transactionId, accountId));
    }

    /**
     * {@code {"amount","expiresAt"?,"reference"?,"holdId"?}} for {@code POST /accounts/{accountId}/holds}: the hold's
     * id is {@code holdId} (or {@code transactionId}, or the {@code Idempotency-Key} header; generated when absent), as
     * a transfer's is its transactionId; {@code expiresAt} is an ISO-8601 instant with an offset.
     */
    public static Command placeHold(String accountId, byte[] body, String idempotencyKey) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String currency = currency(json, errors, false);
        String amount = amount(json, "amount", errors, true, currency);
        instant(json, "expiresAt", errors); // checked here; sent as written (the processor reads the instant)
        String expiresAt = text(json, "expiresAt");
        String reference = text(json, "reference");
        if (reference != null && reference.length() > 140) errors.put("reference", "must be at most 140 characters");
        // the hold's id is its PLACE_HOLD's transactionId: either name is taken
        String holdId = id(json, json.has("holdId") ? "holdId" : "transactionId", idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.placeHold(holdId, accountId, amount, expiresAt, reference));
    }

    /** {@code {"amount"?,"transactionId"?}}: a capture of {@code amount}, or of all that is left when absent. */
    public static Command captureHold(String accountId, String holdId, byte[] body, String idempotencyKey) {
        JsonNode json = body == null || body.length == 0 ? Json.MAPPER.createObjectNode() : parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String amount = amount(json, "amount", errors, false, null);
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.captureHold(transactionId, accountId, holdId, amount));
    }

    /** {@code {"transactionId"?}} (the body is optional): releases what is left of the hold. */
    public static Command voidHold(String accountId, String holdId, byte[] body, String idempotencyKey) {
        JsonNode json = body == null || body.length == 0 ? Json.MAPPER.createObjectNode() : parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.voidHold(transactionId, accountId, holdId));
    }

    /** The fields of {@code PUT /accounts/{accountId}/fraud-rules}; any other is refused: a typo is never ignored. */
    static final List<String> FRAUD_RULES_FIELDS = List.of("enabled", "velocityMaxCount", "largeAmountFactor",
            "dailyOutflowCap", "newPayeeAmount", "structuringThreshold", "transactionId");
    /** The ranges command.schema.json's fraudRules allows (and the processor's rules can use). */
    static final int MAX_VELOCITY_COUNT = 1000;
    static final int MIN_LARGE_AMOUNT_FACTOR = 2;
    static final int MAX_LARGE_AMOUNT_FACTOR = 1_000_000;

    /**
     * {@code {"enabled"?,"velocityMaxCount"?,"largeAmountFactor"?,"dailyOutflowCap"?,"newPayeeAmount"?,
     * "structuringThreshold"?,"transactionId"?}} for {@code PUT /accounts/{accountId}/fraud-rules} (admin): the
     * account's own fraud thresholds as a whole, replacing those set before; one left out takes the bank's default
     * ({@code {}} puts the account back on the defaults). {@code enabled: false} exempts the account from every rule.
     * Counts are JSON integers in range; amounts are major units of the account's currency, zero or more, as decimal
     * strings or numbers (the processor checks their scale against the currency). A field not listed is a 400.
     */
    public static Command fraudRules(String accountId, byte[] body, String idempotencyKey) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        int unknown = 0;
        for (java.util.Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            // named one by one up to a few: a body of thousands of junk fields gets a short answer
            if (!FRAUD_RULES_FIELDS.contains(name) && ++unknown <= 5) {
                errors.put(Problem.excerpt(name), "is not a fraud rules field; they are " + FRAUD_RULES_FIELDS);
            }
        }
        if (unknown > 5) errors.put("body", "has " + unknown + " fields that are not fraud rules fields");
        Boolean enabled = null;
        JsonNode enabledNode = json.get("enabled");
        if (enabledNode != null && !enabledNode.isNull()) {
            if (enabledNode.isBoolean()) enabled = enabledNode.booleanValue();
            else errors.put("enabled", "must be true or false");
        }
        Integer velocity = count(json, "velocityMaxCount", 1, MAX_VELOCITY_COUNT, errors);
        Integer factor = count(json, "largeAmountFactor", MIN_LARGE_AMOUNT_FACTOR, MAX_LARGE_AMOUNT_FACTOR, errors);
        // zero is a threshold too: a daily cap of 0 reviews every payment of the account
        String dailyCap = amount(json, "dailyOutflowCap", errors, false, null, true);
        String newPayee = amount(json, "newPayeeAmount", errors, false, null, true);
        String structuring = amount(json, "structuringThreshold", errors, false, null, true);
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.setFraudRules(transactionId, accountId,
                new FraudRules(enabled, velocity, factor, dailyCap, newPayee, structuring)));
    }

    /** A JSON integer from {@code min} to {@code max}, or null when absent. */
    private static Integer count(JsonNode json, String field, int min, int max, Map<String, String> errors) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) return null;
        // a whole number only: 5.0, "5" and 1e1 are refused rather than guessed at
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
            errors.put(field, "must be a whole number from " + min + " to " + max);
            return null;
        }
        return node.intValue();
    }

    /**
     * {@code {"transactionId"?}} (the body is optional) for
     * {@code POST /accounts/{accountId}/reviews/{reviewId}/approve} and {@code /reject} (admin): the decision is a
     * command of its own, with its own transactionId; the review's id is the held payment's transactionId.
     */
    public static Command decideReview(String accountId, String reviewId, boolean approve, byte[] body,
                                       String idempotencyKey) {
        JsonNode json = body == null || body.length == 0 ? Json.MAPPER.createObjectNode() : parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        String transactionId = transactionId(json, idempotencyKey, errors);
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return checked(Command.decideReview(transactionId, accountId, reviewId, approve));
    }

    private static String rate(JsonNode json, Map<String, String> errors, boolean required) {
        return rate(json, "interestRate", errors, required);
    }

    private static String rate(JsonNode json, String field, Map<String, String> errors, boolean required) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            if (required) errors.put(field, "is required: an annual rate such as 0.025 (2.5%)");
            return null;
        }
        // a number is measured before it is written out: 1e10000000 is short, its plain text is not
        String text = node.isNumber() ? Money.plainText(node.decimalValue(), InterestRates.MAX_TEXT_LENGTH)
                : node.isTextual() ? node.textValue().trim() : null;
        try {
            return InterestRates.canonical(text);
        } catch (Money.InvalidAmountException e) {
            errors.put(field, e.getMessage());
            return null;
        }
    }

    /**
     * The command as the topic's schema sees it: the gateway publishes nothing the processors would refuse as
     * malformed (they would dead-letter it and the client would wait for an outcome that never comes). The field
     * checks above give the friendlier messages; this is the one rule both sides share.
     */
    static Command checked(Command command) {
        List<String> violations = CommandShape.violations(Json.MAPPER.valueToTree(command));
        if (violations.isEmpty()) return command;
        Map<String, String> errors = new LinkedHashMap<>();
        for (String violation : violations) {
            int colon = violation.indexOf(':');
            String field = violation.startsWith("$.") && colon > 2 ? violation.substring(2, colon) : "body";
            errors.merge(field, violation, (a, b) -> a + "; " + b);
        }
        throw new InvalidRequestException(errors);
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidRequestException(Map.of("body", "is empty; a JSON object is required"));
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new InvalidRequestException(Map.of("body", unreadable(e)));
        }
        if (json == null || !json.isObject()) {
            throw new InvalidRequestException(Map.of("body", "must be a JSON object"));
        }
        return json;
    }

    /** Why a body is not one JSON document, in the client's terms (Json.MAPPER refuses what could be read two ways). */
    static String unreadable(IOException e) {
        String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (message == null) message = "";
        if (e instanceof StreamConstraintsException) {
            return "is not valid JSON: it nests deeper than " + Json.MAX_NESTING_DEPTH
                    + " levels or holds a number longer than " + Json.MAX_NUMBER_LENGTH + " characters";
        }
        if (message.startsWith("Duplicate field")) {
            return "is not valid JSON: " + Problem.excerpt(message)
                    + "; each field may appear once, as otherwise readers disagree on its value";
        }
        if (message.startsWith("Trailing token")) {
            return "is not valid JSON: there is more after the JSON object; send exactly one object";
        }
        return "is not valid JSON";
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String accountId(JsonNode json, Map<String, String> errors, boolean required) {
        return accountIdField(json, "accountId", errors, required);
    }

    private static String accountIdField(JsonNode json, String field, Map<String, String> errors, boolean required) {
        String id = text(json, field);
        if (id == null) {
            if (required) errors.put(field, "is required");
        } else if (!Ids.validAccountId(id)) {
            errors.put(field, Ids.ACCOUNT_ID_RULE);
            return null;
        }
        return id;
    }

    private static String currency(JsonNode json, Map<String, String> errors, boolean required) {
        return currencyField(json, "currency", errors, required);
    }

    private static String currencyField(JsonNode json, String field, Map<String, String> errors, boolean required) {
        String code = text(json, field);
        if (code == null) {
            if (required) errors.put(field, "is required: an ISO-4217 code such as EUR");
            return null;
        }
        try {
            return Money.currency(code).getCurrencyCode();
        } catch (Money.InvalidAmountException e) {
            errors.put(field, e.getMessage());
            return null;
        }
    }

    private static String amount(JsonNode json, String field, Map<String, String> errors, boolean required,
                                 String currency) {
        return amount(json, field, errors, required, currency, false);
    }

    /** An amount in major units; a limit ({@code zeroAllowed}) may be zero. */
    private static String amount(JsonNode json, String field, Map<String, String> errors, boolean required,
                                 String currency, boolean zeroAllowed) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            if (required) errors.put(field, "is required: a positive amount in major units such as 12.34");
            return null;
        }
        BigDecimal value;
        if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isTextual()) {
            try {
                value = Money.parseDecimal(node.textValue().trim());
            } catch (Money.InvalidAmountException e) {
                errors.put(field, e.getMessage());
                return null;
            }
        } else {
            errors.put(field, "must be a number or a decimal string");
            return null;
        }
        if (value.signum() < 0 || (value.signum() == 0 && !zeroAllowed)) {
            errors.put(field, zeroAllowed ? "must be zero or more" : "must be greater than zero");
            return null;
        }
        // measured before it is written out: 1e10000000 is ten characters, its plain text ten million
        String plain = Money.plainText(value, Money.MAX_AMOUNT_LENGTH);
        if (plain == null) {
            errors.put(field, "must be at most " + Money.MAX_AMOUNT_LENGTH
                    + " characters written out in full (1e3 is 1000), such as 12.34");
            return null;
        }
        if (currency != null) {
            try {
                Money.toMinor(plain, Currency.getInstance(currency), null);
            } catch (Money.InvalidAmountException e) {
                errors.put(field, e.getMessage());
                return null;
            }
        }
        return plain;
    }

    private static String transactionId(JsonNode json, String idempotencyKey, Map<String, String> errors) {
        return id(json, "transactionId", idempotencyKey, errors);
    }

    /** The command's id from {@code field} or the Idempotency-Key header (equal when both are sent); generated. */
    private static String id(JsonNode json, String field, String idempotencyKey, Map<String, String> errors) {
        JsonNode node = json.get(field);
        if (node != null && !node.isNull() && !node.isTextual()) {
            errors.put(field, "must be a string: " + Ids.TRANSACTION_ID_RULE);
            return null;
        }
        String fromBody = text(json, field);
        String header = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.trim();
        if (fromBody != null && header != null && !fromBody.equals(header)) {
            errors.put(field, "differs from the " + IDEMPOTENCY_KEY + " header; send one or make them equal");
            return null;
        }
        String id = fromBody != null ? fromBody : header;
        if (id == null) return UUID.randomUUID().toString();
        if (!Ids.validTransactionId(id)) {
            errors.put(field, Ids.TRANSACTION_ID_RULE);
            return null;
        }
        return id;
    }
}
