package dev.bank.schemas;

/** Machine-readable reason of a rejected command; the REST API maps each to an HTTP status. */
public enum RejectionReason {
    /** The amount is zero, negative, malformed, has too many fraction digits or is above the maximum. */
    INVALID_AMOUNT,
    /** The command is missing a field it needs (e.g. a currency to open an account). */
    INVALID_COMMAND,
    INSUFFICIENT_FUNDS,
    ACCOUNT_NOT_FOUND,
    CURRENCY_MISMATCH,
    DUPLICATE_ACCOUNT,
    ACCOUNT_CLOSED,
    /** The account is frozen: nothing may leave it until an admin unfreezes it. */
    ACCOUNT_FROZEN,
    /** The account cannot be closed: it still holds money, an active hold or a transfer in flight. */
    ACCOUNT_NOT_EMPTY,
    /**
     * A limit would be broken: the account's daily outflow limit, or the range a {@code long} of minor units can
     * hold.
     */
    LIMIT_EXCEEDED,
    /** The command names a hold the account does not have. */
    HOLD_NOT_FOUND,
    /** The hold has ended (captured, voided or expired): nothing is left to capture or void. */
    HOLD_NOT_ACTIVE,
    /** A capture of more than is left on the hold. */
    HOLD_EXCEEDED,
    /** The FX quote a transfer names is past its validity (by the broker's time of the command). */
    FX_QUOTE_EXPIRED,
    /** The FX quote a transfer names is unknown (never published, or no longer known to the gateway). */
    FX_QUOTE_NOT_FOUND,
    /** No valid rate is published for the currency pair a quote is asked for. */
    FX_RATE_UNAVAILABLE,
    /**
     * The fraud rules declined the payment, or a review rejected it (or ran out of time). The detail never says which
     * rule or threshold: that is for the bank's operators (the fraud alerts topic), not for whoever is testing them.
     */
    FRAUD_SUSPECTED,
    /** The account has no fraud review under the id an approval or rejection names. */
    REVIEW_NOT_FOUND,
    /** The fraud review was already approved, rejected or expired. */
    REVIEW_NOT_PENDING,
    /** The transactionId was already used for a different request; nothing was applied. */
    IDEMPOTENCY_CONFLICT
}
