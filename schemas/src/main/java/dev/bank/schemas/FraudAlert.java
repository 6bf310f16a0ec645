package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A fraud decision other than ALLOW, or the end of a review, on the fraud alerts topic, keyed by accountId. Schema:
 * {@code fraud-alert.schema.json}. Operators count these (per rule, decision and resolution) to watch how often the
 * rules stop honest customers.
 *
 * @param transactionId the payment's transactionId (a review's id)
 * @param decision      REVIEW or DECLINE
 * @param reviewStatus  for a REVIEW: PENDING when it is opened, then APPROVED, REJECTED or EXPIRED when it ends (a
 *                      second alert for the same transactionId); null for a DECLINE
 * @param resolution    for an ended review: what was applied, APPROVED or REJECTED (an EXPIRED review takes the
 *                      configured default)
 * @param score         the sum of the findings' scores
 * @param amountMinor   the payment's amount in minor units of {@code currency}
 * @param decidedBy     who ended the review (an admin's principal); null when it expired or is still open
 * @param timestamp     epoch millis of the record that caused the alert
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FraudAlert(String accountId, String transactionId, CommandType type, FraudDecision decision,
                         ReviewStatus reviewStatus, ReviewStatus resolution, int score, List<FraudFinding> findings,
                         long amountMinor, String currency, String toAccountId, String principal, String decidedBy,
                         long timestamp) {}
