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
 * @param timestamp    epoch millis of the record that produced the outcome: deterministic under reprocessing
 * @param toAccountId  a transfer's destination
 * @param transferStatus a transfer's state: COMPLETED (ACCEPTED), REFUNDED (REJECTED), or PENDING (a retry
 *                     answered while the legs are in flight)
 * @param interestRate the account's annual rate after an accepted SET_INTEREST_RATE
 * @param principal    who asked (the command's principal), for the audit trail
 * @param holdId       the hold a PLACE_HOLD, CAPTURE_HOLD or VOID_HOLD acted on
 * @param holdStatus   that hold's state after the command
 * @param holdRemainingMinor what that hold still reserves after the command
 * @param availableMinor what may still leave the account after the command (balance − held + overdraft limit);
 *                     set on the outcomes of holds
 * @param fx           a transfer between two currencies: what it converts (both amounts and the rate)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                      RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                      long sequence, boolean replayed, long timestamp, String toAccountId,
                      TransferStatus transferStatus, String interestRate, String principal, String holdId,
                      HoldStatus holdStatus, Long holdRemainingMinor, Long availableMinor, FxConversion fx) {

    /** An outcome without a conversion. */
    public Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                   RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                   long sequence, boolean replayed, long timestamp, String toAccountId,
                   TransferStatus transferStatus, String interestRate, String principal, String holdId,
                   HoldStatus holdStatus, Long holdRemainingMinor, Long availableMinor) {
        this(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor, currency, sequence,
                replayed, timestamp, toAccountId, transferStatus, interestRate, principal, holdId, holdStatus,
                holdRemainingMinor, availableMinor, null);
    }

    /** An outcome that concerns no hold. */
    public Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                   RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                   long sequence, boolean replayed, long timestamp, String toAccountId,
                   TransferStatus transferStatus, String interestRate, String principal) {
        this(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor, currency, sequence,
                replayed, timestamp, toAccountId, transferStatus, interestRate, principal, null, null, null, null);
    }

    /** An outcome without a principal. */
    public Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                   RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                   long sequence, boolean replayed, long timestamp, String toAccountId,
                   TransferStatus transferStatus, String interestRate) {
        this(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor, currency, sequence,
                replayed, timestamp, toAccountId, transferStatus, interestRate, null);
    }

    /** An outcome without an interest rate. */
    public Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                   RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                   long sequence, boolean replayed, long timestamp, String toAccountId,
                   TransferStatus transferStatus) {
        this(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor, currency, sequence,
                replayed, timestamp, toAccountId, transferStatus, null);
    }

    /** The outcome of a command that is not a transfer. */
    public Outcome(String transactionId, String accountId, CommandType type, OutcomeStatus status,
                   RejectionReason reason, String detail, Long amountMinor, Long balanceMinor, String currency,
                   long sequence, boolean replayed, long timestamp) {
        this(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor, currency, sequence,
                replayed, timestamp, null, null);
    }

    public boolean accepted() {
        return status == OutcomeStatus.ACCEPTED;
    }

    public Outcome asReplay() {
        return new Outcome(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor,
                currency, sequence, true, timestamp, toAccountId, transferStatus, interestRate, principal, holdId,
                holdStatus, holdRemainingMinor, availableMinor, fx);
    }

    /** The same outcome, recorded as asked for by {@code who}. */
    public Outcome by(String who) {
        return new Outcome(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor,
                currency, sequence, replayed, timestamp, toAccountId, transferStatus, interestRate, who, holdId,
                holdStatus, holdRemainingMinor, availableMinor, fx);
    }

    /** The same outcome, about {@code hold} as it stands after the command, and the account's available balance. */
    public Outcome about(Hold hold, long available) {
        return new Outcome(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor,
                currency, sequence, replayed, timestamp, toAccountId, transferStatus, interestRate, principal,
                hold.holdId(), hold.status(), hold.remainingMinor(), available, fx);
    }

    /** The same outcome, about a transfer that converts as {@code conversion} says. */
    public Outcome converting(FxConversion conversion) {
        return new Outcome(transactionId, accountId, type, status, reason, detail, amountMinor, balanceMinor,
                currency, sequence, replayed, timestamp, toAccountId, transferStatus, interestRate, principal, holdId,
                holdStatus, holdRemainingMinor, availableMinor, conversion);
    }
}
