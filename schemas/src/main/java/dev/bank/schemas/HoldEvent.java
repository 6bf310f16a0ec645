package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One change of a hold, on the holds topic keyed by accountId, for monitors. Schema: {@code hold-event.schema.json}.
 *
 * @param event         what happened
 * @param amountMinor   what the change moved: reserved (PLACED), captured (CAPTURED), released (VOIDED, EXPIRED)
 * @param transactionId the command that caused it; null for an expiry, which the processor decides itself
 * @param timestamp     epoch millis of the record that caused it: deterministic under reprocessing
 * @param hold          the hold as the change left it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HoldEvent(String accountId, String holdId, Type event, long amountMinor, String transactionId,
                        long timestamp, Hold hold) {

    public enum Type { PLACED, CAPTURED, VOIDED, EXPIRED }
}
