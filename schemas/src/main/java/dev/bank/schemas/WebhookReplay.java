package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A request to deliver a subscription's dead letters again, on the webhook replays topic keyed by subscription id
 * (written by the gateways for {@code POST /webhooks/{id}/replay}, read by the notifier). Schema:
 * {@code webhook-replay.schema.json}.
 *
 * @param replayId       unique per request
 * @param subscriptionId whose dead letters
 * @param since          epoch millis: the dead letters written from then on; null: all that the topic holds
 * @param requestedBy    the principal that asked
 * @param requestedAt    epoch millis, the gateway's clock
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookReplay(String replayId, String subscriptionId, Long since, String requestedBy, long requestedAt) {
}
