package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A webhook delivery the notifier gave up on after its last attempt, on the webhook dead-letter topic keyed by
 * subscription id (kept forever). {@code POST /webhooks/{id}/replay} delivers a subscription's dead letters again.
 * Schema: {@code webhook-dead-letter.schema.json}.
 *
 * @param subscriptionId the subscription it was for
 * @param event          the event, as it was on the account events topic
 * @param attempts       how many deliveries were tried
 * @param lastStatus     the HTTP status of the last attempt; null when it got none (timeout, connection refused, a
 *                       target the SSRF rules refuse)
 * @param lastError      what went wrong the last time, in a line
 * @param firstAttemptAt epoch millis of the first attempt
 * @param failedAt       epoch millis of the last attempt
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookDeadLetter(String subscriptionId, AccountEvent event, int attempts, Integer lastStatus,
                                String lastError, long firstAttemptAt, long failedAt) {
}
