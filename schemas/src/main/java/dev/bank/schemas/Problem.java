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
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, Map.copyOf(errors));
    }

    public Problem withInstance(String instance) {
        return new Problem(type, title, status, detail, instance, reason, transactionId, transferStatus, errors);
    }
}
