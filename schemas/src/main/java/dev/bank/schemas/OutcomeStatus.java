package dev.bank.schemas;

public enum OutcomeStatus {
    ACCEPTED, REJECTED,
    /** Only for a retry of a transfer whose legs are still in flight: ask again (or poll) for the final state. */
    PENDING
}
