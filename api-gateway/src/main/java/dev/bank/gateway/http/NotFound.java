package dev.bank.gateway.http;

import dev.bank.schemas.Problem;

import java.util.Map;

/**
 * What "not there" looks like on each read route. {@link dev.bank.observability.PathIds} answers an id that
 * cannot exist with the same document as the route gives for an id that does not, so the two cannot be told apart.
 */
final class NotFound {
    private NotFound() {}

    static Problem account(String accountId) {
        return Problem.of(404, "Account not found", "account " + Problem.excerpt(accountId) + " does not exist")
                .withReason("ACCOUNT_NOT_FOUND");
    }

    static Problem outcome(String accountId, String transactionId) {
        return Problem.of(404, "Not processed", "no outcome for transaction " + Problem.excerpt(transactionId)
                + " on account " + Problem.excerpt(accountId)
                + " (yet): it is still in flight, or was never received");
    }

    static Problem transfer(String accountId, String transferId) {
        return Problem.of(404, "Not found", "no transfer " + Problem.excerpt(transferId) + " on account "
                + Problem.excerpt(accountId) + " (yet)");
    }

    static Problem hold(String accountId, String holdId) {
        return Problem.of(404, "Hold not found", "no hold " + Problem.excerpt(holdId) + " on account "
                + Problem.excerpt(accountId) + " (yet)").withReason("HOLD_NOT_FOUND");
    }

    static Problem review(String accountId, String reviewId) {
        return Problem.of(404, "Review not found", "no fraud review " + Problem.excerpt(reviewId) + " on account "
                + Problem.excerpt(accountId)).withReason("REVIEW_NOT_FOUND");
    }

    static Problem webhook(String webhookId) {
        return Problem.of(404, "Webhook not found", "no webhook subscription " + Problem.excerpt(webhookId));
    }

    /** The 404 of a route, by its template. */
    static Problem at(String route, Map<String, String> pathParams) {
        String accountId = pathParams.get("accountId");
        return switch (route) {
            case BankApi.TRANSACTION_STATUS -> outcome(accountId, pathParams.get("transactionId"));
            case BankApi.TRANSFER_STATUS -> transfer(accountId, pathParams.get("transferId"));
            case BankApi.HOLD, BankApi.CAPTURE, BankApi.VOID -> hold(accountId, pathParams.get("holdId"));
            case BankApi.REVIEW, BankApi.APPROVE, BankApi.REJECT -> review(accountId, pathParams.get("reviewId"));
            case WebhookRoutes.WEBHOOK, WebhookRoutes.REPLAY -> webhook(pathParams.get("webhookId"));
            default -> account(accountId);
        };
    }
}
