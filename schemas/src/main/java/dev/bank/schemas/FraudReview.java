package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A payment the fraud rules sent to review, as the processor's reviews store keeps it and its query API serves it to
 * admins: the command itself (applied as it was sent if approved), why it was stopped, and where the review stands.
 * Its id is the payment's transactionId; its hold has the same id.
 *
 * @param deadline   epoch millis when an undecided review ends with the configured default
 * @param resolution for an ended review, what was applied: APPROVED or REJECTED
 * @param decidedAt  epoch millis of the record that ended it
 * @param decidedBy  the admin who ended it; null when it expired
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FraudReview(String accountId, String transactionId, Command command, long amountMinor, String currency,
                          int score, List<FraudFinding> findings, ReviewStatus status, long createdAt, long deadline,
                          ReviewStatus resolution, Long decidedAt, String decidedBy) {

    /** The review ended as {@code how} ({@code applied}: APPROVED or REJECTED), at {@code at}, by {@code who}. */
    public FraudReview ended(ReviewStatus how, ReviewStatus applied, long at, String who) {
        return new FraudReview(accountId, transactionId, command, amountMinor, currency, score, findings, how,
                createdAt, deadline, applied, at, who);
    }
}
