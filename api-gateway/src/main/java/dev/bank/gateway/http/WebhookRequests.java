package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.Ids;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bodies of the webhook routes, checked field by field so a client can fix every problem at once; any field not
 * listed is a 400 (a typo such as {@code eventType} is never silently ignored). Nothing here echoes a secret.
 */
final class WebhookRequests {
    static final List<String> CREATE_FIELDS = List.of("url", "eventTypes", "accountIds", "secret", "description");
    static final int MAX_ACCOUNT_IDS = 100;
    static final int MAX_DESCRIPTION = 200;
    /** A Standard Webhooks secret: {@code whsec_} and the base64 of this many random bytes. */
    static final int MIN_SECRET_BYTES = 24;
    static final int MAX_SECRET_BYTES = 64;
    static final int GENERATED_SECRET_BYTES = 32;
    static final String SECRET_RULE = "must be whsec_ followed by the base64 of " + MIN_SECRET_BYTES + " to "
            + MAX_SECRET_BYTES + " random bytes";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private WebhookRequests() {}

    /** {@code POST /webhooks}: what the subscriber asked for; the URL's reachability is checked apart (it resolves). */
    record Create(String url, List<AccountEventType> eventTypes, List<String> accountIds, String secret,
                  String description) {}

    static Create create(byte[] body) {
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        unknownFields(json, CREATE_FIELDS, errors);
        String url = null;
        JsonNode urlNode = json.get("url");
        if (urlNode == null || urlNode.isNull()) {
            errors.put("url", "is required: an absolute https URL");
        } else if (!urlNode.isTextual()) {
            errors.put("url", "must be a string");
        } else {
            String problem = WebhookTargets.formProblem(urlNode.textValue());
            if (problem != null) errors.put("url", problem);
            else url = urlNode.textValue();
        }
        List<AccountEventType> types = new ArrayList<>();
        for (String name : strings(json, "eventTypes", AccountEventType.values().length * 4, errors)) {
            try {
                AccountEventType type = AccountEventType.fromWire(name);
                if (!types.contains(type)) types.add(type);
            } catch (IllegalArgumentException e) {
                errors.put("eventTypes", "has " + Problem.excerpt(name) + ", not an event type; they are "
                        + Arrays.stream(AccountEventType.values()).map(AccountEventType::wireName).toList());
            }
        }
        Set<String> accounts = new LinkedHashSet<>();
        for (String id : strings(json, "accountIds", MAX_ACCOUNT_IDS, errors)) {
            if (!Ids.validAccountId(id)) errors.put("accountIds", "has " + Problem.excerpt(id) + ": an account id "
                    + Ids.ACCOUNT_ID_RULE);
            else accounts.add(id);
        }
        String secret = null;
        JsonNode secretNode = json.get("secret");
        if (secretNode != null && !secretNode.isNull()) {
            if (!secretNode.isTextual() || !validSecret(secretNode.textValue())) errors.put("secret", SECRET_RULE);
            else secret = secretNode.textValue();
        }
        String description = null;
        JsonNode descriptionNode = json.get("description");
        if (descriptionNode != null && !descriptionNode.isNull()) {
            if (!descriptionNode.isTextual() || !plainText(descriptionNode.textValue(), MAX_DESCRIPTION)) {
                errors.put("description", "must be text of at most " + MAX_DESCRIPTION
                        + " characters, without control characters");
            } else {
                description = descriptionNode.textValue();
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return new Create(url, List.copyOf(types), List.copyOf(accounts), secret == null ? newSecret() : secret,
                description);
    }

    /**
     * {@code POST /webhooks/{id}/replay}: {@code {"since"?}} (the body is optional), an ISO-8601 instant not in the
     * future; null when absent (every dead letter the topic holds).
     */
    static Instant replaySince(byte[] body, Instant now) {
        if (body == null || body.length == 0) return null;
        JsonNode json = parse(body);
        Map<String, String> errors = new LinkedHashMap<>();
        unknownFields(json, List.of("since"), errors);
        Instant since = null;
        JsonNode node = json.get("since");
        if (node != null && !node.isNull()) {
            try {
                if (!node.isTextual()) throw new DateTimeParseException("not text", "", 0);
                since = OffsetDateTime.parse(node.textValue()).toInstant();
                if (since.isAfter(now)) errors.put("since", "must not be in the future");
                else if (since.isBefore(Instant.EPOCH)) errors.put("since", "must be after 1970");
            } catch (DateTimeParseException e) {
                errors.put("since", "must be an ISO-8601 instant with an offset, such as 2026-12-01T12:00:00Z");
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return since;
    }

    static boolean validSecret(String secret) {
        if (secret == null || !secret.startsWith("whsec_") || secret.length() > 6 + 88) return false;
        try {
            int bytes = Base64.getDecoder().decode(secret.substring(6)).length;
            return bytes >= MIN_SECRET_BYTES && bytes <= MAX_SECRET_BYTES
                    && secret.substring(6).matches("[A-Za-z0-9+/]+={0,2}");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A fresh secret: {@code whsec_} and the base64 of 32 bytes from a {@link SecureRandom}. */
    static String newSecret() {
        byte[] key = new byte[GENERATED_SECRET_BYTES];
        RANDOM.nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /** A fresh subscription id: {@code wh_} and 24 random lower-case letters and digits (about 124 bits). */
    static String newId() {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) id[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
        return "wh_" + new String(id);
    }

    private static List<String> strings(JsonNode json, String field, int max, Map<String, String> errors) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) return List.of();
        if (!node.isArray()) {
            errors.put(field, "must be an array of strings");
            return List.of();
        }
        if (node.size() > max) {
            errors.put(field, "must have at most " + max + " items");
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                errors.put(field, "must be an array of strings");
                return List.of();
            }
            values.add(item.textValue());
        }
        return values;
    }

    private static void unknownFields(JsonNode json, List<String> known, Map<String, String> errors) {
        int unknown = 0;
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name) && ++unknown <= 5) {
                errors.put(Problem.excerpt(name), "is not a field of this request; they are " + known);
            }
        }
        if (unknown > 5) errors.put("body", "has " + unknown + " fields this request does not know");
    }

    /** Text of at most {@code max} characters without control characters or lone surrogates. */
    private static boolean plainText(String s, int max) {
        if (s.length() > max) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) return false;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new InvalidRequestException(Map.of("body", "is empty; a JSON object is required"));
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new InvalidRequestException(Map.of("body", Requests.unreadable(e)));
        }
        if (json == null || !json.isObject()) throw new InvalidRequestException(Map.of("body", "must be a JSON object"));
        return json;
    }
}
