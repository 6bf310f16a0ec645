package dev.bank.gateway.kafka;

import dev.bank.schemas.WebhookReplay;
import dev.bank.schemas.WebhookSubscription;

import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The webhook subscriptions as the gateway sees them, and the writes it makes to them. Reads answer from memory;
 * a write completes once the broker has it and this gateway's own view reflects it, so the answer to a write and any
 * read after it agree (read-your-writes on this instance).
 */
public interface WebhookStore {
    /** Every subscription, with its secret (for counting and matching: never answered as is). */
    Collection<WebhookSubscription> all();

    Optional<WebhookSubscription> get(String id);

    /** Creates or replaces a subscription; completes when this gateway's view has it. */
    CompletableFuture<Void> put(WebhookSubscription subscription);

    /** Deletes a subscription (a tombstone); completes when this gateway's view no longer has it. */
    CompletableFuture<Void> delete(String id);

    /** Asks the notifier to deliver a subscription's dead letters again; completes when the broker has it. */
    CompletableFuture<Void> replay(WebhookReplay replay);

    /** Null when the store reads its topic; otherwise what is wrong (the webhook routes answer 503 meanwhile). */
    String problem();
}
