package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * An RFC 9457 problem document ({@code application/problem+json}), the body of every error answer of the REST
 * API and the processor's query API.
 *
 * @param reason        the machine-readable rejection reason when a command was rejected
 * @param transactionId the command's id, so a client can retry or poll under the same id
 * @param transferStatus where a rejected transfer stands (REJECTED: nothing moved; REFUNDED: money returned)
 * @param errors field name → what is wrong with it, for invalid input
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String reason,
                      String transactionId, String transferStatus, Map<String, String> errors) {
    public static final String CONTENT_TYPE = "application/problem+json";
    /** How much of a client's value an error message repeats: enough to recognise it, never the whole of it. */
    public static final int MAX_ECHO = 64;
    /**
     * The most any text of a problem may be. A backstop: messages echo values through {@link #excerpt}, but a
     * message that forgets to must not turn an error answer into a copy of a hostile request.
     */
    public static final int MAX_TEXT = 1024;
    /** The most of a request path {@code instance} repeats; every path of ours is shorter. */
    public static final int MAX_INSTANCE = 256;

    public Problem {
        title = capped(title);
        detail = capped(detail);
        instance = instance == null || instance.length() <= MAX_INSTANCE ? instance
                : instance.substring(0, MAX_INSTANCE) + "…";
        if (errors != null) {
            Map<String, String> cappedErrors = new java.util.LinkedHashMap<>();
            errors.forEach((field, message) -> cappedErrors.put(capped(field), capped(message)));
            errors = java.util.Collections.unmodifiableMap(cappedErrors);
        }
    }

    /** A value as an error message may repeat it: at most {@link #MAX_ECHO} characters, then "…". */
    public static String excerpt(String value) {
        if (value == null) return "null";
        return value.length() <= MAX_ECHO ? value : value.substring(0, MAX_ECHO) + "…";
    }

    private static String capped(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null, null, null, null);
    }

    public Problem withReason(String reason) {
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, errors);
    }

    public Problem withTransactionId(String transactionId) {
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, errors);
    }

    public Problem withTransferStatus(String transferStatus) {
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, errors);
    }

    public Problem withErrors(Map<String, String> errors) {
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, errors);
    }

    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, errors);
    }
}
