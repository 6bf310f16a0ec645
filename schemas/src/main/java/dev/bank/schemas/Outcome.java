package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The one outcome of a command, on the results topic keyed by accountId. Schema: {@code outcome.schema.json}.
 *
 * @param amountMinor  the amount applied (or asked for), in minor units; null when it could not be read
 * @param balanceMinor the account's balance after the command; null when the account does not exist
 * @param currency     the account's currency; null when the account does not exist
 * @param sequence     the account's posting sequence after the command (0 when nothing was ever posted)
 * @param replayed     true when this answers a retry of an already processed transactionId
 * @param timestamp    epoch millis of the command record: deterministic under reprocessing
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                      RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                      long sequence, boolean replayed, long timestamp) {

    public boolean accepted() {
        return status == OutcomeStatus.ACCEPTED;
    }

    public Outcome asReplay() {
        return new Outcome(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor,
                currency, sequence, true, timestamp);
    }
}
