package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A webhook subscription: where the notifier delivers account events, which ones, and the secret it signs them with.
 * On the compacted webhooks topic keyed by {@link #id()}; the newest record of an id is the subscription, a tombstone
 * deletes it. Written by the gateways ({@code POST /webhooks}), read whole by the gateways and the notifier. Schema:
 * {@code webhook-subscription.schema.json}.
 *
 * <p>Which events it gets is decided by the notifier at delivery time: a customer's subscription those of the accounts
 * whose {@link AccountEvent#owner()} is its {@link #owner()} (and only {@link #accountIds()} when given); an admin's
 * ({@link #admin()}) those of every account (or only {@link #accountIds()}). Events older than {@link #createdAt()} are
 * not delivered to it.
 *
 * @param id          {@code wh_} and random characters ({@link Ids#validWebhookId})
 * @param owner       the principal that created it
 * @param admin       true when an admin created it: it may get any account's events
 * @param url         the endpoint: absolute https (http only for an allow-listed host), checked against the SSRF rules
 *                    when created and again at every delivery
 * @param eventTypes  the event types it wants; empty: all of them
 * @param accountIds  only these accounts; empty: every account it may see
 * @param secret      {@code whsec_} and the base64 of 24 to 64 random bytes: the HMAC-SHA256 key of the signatures
 *                    (Standard Webhooks). Never logged, shown once (in the answer to its creation)
 * @param description what it is for, as its owner wrote it; may be null
 * @param createdAt   epoch millis, the gateway's clock
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookSubscription(String id, String owner, boolean admin, String url, List<AccountEventType> eventTypes,
                                  List<String> accountIds, String secret, String description, long createdAt) {

    public WebhookSubscription {
        eventTypes = eventTypes == null ? List.of() : List.copyOf(eventTypes);
        accountIds = accountIds == null ? List.of() : List.copyOf(accountIds);
    }

    /** Whether {@code event} is one this subscription gets (its types, accounts and owner; not its age). */
    public boolean wants(AccountEvent event) {
        if (!eventTypes.isEmpty() && !eventTypes.contains(event.type())) return false;
        if (!accountIds.isEmpty() && !accountIds.contains(event.accountId())) return false;
        return admin || owner.equals(event.owner());
    }

    /** The subscription without its secret: what reads answer. */
    public WebhookSubscription withoutSecret() {
        return new WebhookSubscription(id, owner, admin, url, eventTypes, accountIds, null, description, createdAt);
    }

    /**
     * The URL as logs show it: without its query, where receivers often put a token of their own
     * ({@code https://hooks.example.com/bank?…}).
     */
    public String loggableUrl() {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query) + "?…";
    }

    /** Never the secret, nor the URL's query: a subscription may be logged. */
    @Override
    public String toString() {
        return "WebhookSubscription[" + id + " of " + owner + (admin ? " (admin)" : "") + " -> " + loggableUrl() + " types="
                + eventTypes + " accounts=" + accountIds + "]";
    }
}
