package dev.bank.schemas;

public enum OutcomeStatus {
    ACCEPTED, REJECTED,
    /** Only for a retry of a transfer whose legs are still in flight: ask again (or poll) for the final state. */
    PENDING,
    /**
     * A debit or transfer the fraud rules sent to review: its amount is held until an admin approves it (the money
     * moves) or rejects it, or the review's time runs out. Its final outcome replaces this one under the same
     * transactionId.
     */
    IN_REVIEW
}
