package dev.bank.schemas;

/** Where a fraud review stands. */
public enum ReviewStatus {
    /** Waiting for an admin; the payment's amount is held. */
    PENDING,
    /** An admin approved it: the hold was released and the payment applied. */
    APPROVED,
    /** An admin rejected it: the hold was released and the payment refused. */
    REJECTED,
    /** Nobody decided in time: the configured default was applied ({@code resolution} says which). */
    EXPIRED
}
