package dev.bank.schemas;

import java.util.List;

/**
 * Fraud reviews as the processor's query API serves them in bulk: an account's reviews, or the review queue across
 * every account; oldest first, at most the limit asked for.
 *
 * @param more true when more reviews matched than the limit let through (the oldest are the ones given)
 */
public record FraudReviewList(List<FraudReview> reviews, boolean more) {

    public FraudReviewList {
        reviews = List.copyOf(reviews);
    }
}
