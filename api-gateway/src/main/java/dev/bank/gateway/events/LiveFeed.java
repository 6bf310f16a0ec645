package dev.bank.gateway.events;

import dev.bank.schemas.AccountEvent;

/**
 * The account events as they are committed, for the streams of one gateway: {@link dev.bank.gateway.kafka.EventHub}
 * reads them from the events topic. A subscriber is called on the feed's one thread, in each account's order, and must
 * not wait: it hands the event on and returns.
 */
public interface LiveFeed {
    /** Takes an account's events as they arrive. */
    interface Subscriber {
        /** @param frame the event as a stream sends it ({@link Sse#event}), made once for all its subscribers */
        void event(AccountEvent event, byte[] frame);

        /** An event of the account was on the topic but could not be read: the subscriber reads it elsewhere. */
        void missed();
    }

    /** Ends one subscription; idempotent. */
    @FunctionalInterface
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Starts handing {@code subscriber} the events of {@code accountId} that arrive from now on. */
    Subscription subscribe(String accountId, Subscriber subscriber);

    /**
     * Null when the feed reads the events topic, so an event committed from now on reaches its subscribers;
     * otherwise what is wrong.
     */
    String problem();
}
