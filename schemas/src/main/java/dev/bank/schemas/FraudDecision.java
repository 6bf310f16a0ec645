package dev.bank.schemas;

/** What the fraud rules decided about a payment, from the sum of the scores of the rules it triggered. */
public enum FraudDecision {
    /** Applied as usual. */
    ALLOW,
    /** Held for an admin to approve or reject ({@link OutcomeStatus#IN_REVIEW}). */
    REVIEW,
    /** Refused before anything is applied ({@link RejectionReason#FRAUD_SUSPECTED}). */
    DECLINE
}
