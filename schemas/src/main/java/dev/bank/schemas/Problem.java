package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * An RFC 9457 problem document ({@code application/problem+json}), the body of every error answer of the REST
 * API and the processor's query API.
 *
 * @param reason the machine-readable rejection reason when a command was rejected
 * @param errors field name → what is wrong with it, for invalid input
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String reason,
                      Map<String, String> errors) {
    public static final String CONTENT_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, null, null, null);
    }

    public Problem withReason(String reason) {
        return new Problem(type, title, status, detail, instance, reason, errors);
    }

    public Problem withErrors(Map<String, String> errors) {
        return new Problem(type, title, status, detail, instance, reason, Map.copyOf(errors));
    }

    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance, reason, errors);
    }
}
