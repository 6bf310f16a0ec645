package dev.bank.processor.query;

import dev.bank.processor.topology.BankTopology;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudReviewList;
import dev.bank.schemas.ReviewStatus;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Reading the fraud reviews store ({@link BankTopology#FRAUD_REVIEWS_STORE}) in bulk: one account's reviews (a range
 * of its keys), one partition's reviews of a status (a full scan: the queue is across accounts, and ended reviews are
 * purged after the idempotency retention, so a partition holds days of them at most), and the merge of several
 * partitions' or instances' answers. Always oldest first, always bounded: at most {@code limit} reviews are kept while
 * scanning, however many match. Iterators are closed (try-with-resources).
 */
final class Reviews {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    /** Oldest first; the same order on every instance, so merged pages are stable. */
    static final Comparator<FraudReview> OLDEST_FIRST = Comparator.comparingLong(FraudReview::createdAt)
            .thenComparing(FraudReview::accountId).thenComparing(FraudReview::transactionId);

    private Reviews() {}

    /** The limit asked for, or the default; outside 1 to {@link #MAX_LIMIT} it is a bad query. */
    static int limit(Integer asked) {
        int limit = asked == null ? DEFAULT_LIMIT : asked;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadQueryException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        return limit;
    }

    /** A status parameter: a {@link ReviewStatus} name, any case; null when absent. */
    static ReviewStatus status(String text) {
        if (text == null) return null;
        for (ReviewStatus s : ReviewStatus.values()) {
            if (s.name().equalsIgnoreCase(text)) return s;
        }
        throw new BadQueryException("status must be one of PENDING, APPROVED, REJECTED, EXPIRED, was "
                + dev.bank.schemas.Problem.excerpt(text));
    }

    /**
     * The account's reviews ({@code status}: only those; null: all), oldest first. Its keys are accountId NUL
     * transactionId, and no id has a character below '-', so they all sort between accountId NUL and accountId SOH.
     */
    static FraudReviewList ofAccount(ReadOnlyKeyValueStore<String, FraudReview> store, String accountId,
                                     ReviewStatus status, int limit) {
        try (KeyValueIterator<String, FraudReview> it = store.range(accountId + '\u0000', accountId + '\u0001')) {
            return oldest(it, status, limit);
        }
    }

    /** One partition's reviews ({@code status}: only those; null: all), oldest first. */
    static FraudReviewList ofPartition(ReadOnlyKeyValueStore<String, FraudReview> store, ReviewStatus status,
                                       int limit) {
        try (KeyValueIterator<String, FraudReview> it = store.all()) {
            return oldest(it, status, limit);
        }
    }

    /**
     * Several answers as one: the oldest {@code limit} of all of them, each review once (a partition asked twice
     * while it moved between instances is not counted twice), {@code more} when any answer had more or the whole
     * does.
     */
    static FraudReviewList merge(Collection<FraudReviewList> parts, int limit) {
        List<FraudReview> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        boolean more = false;
        for (FraudReviewList part : parts) {
            more |= part.more();
            for (FraudReview r : part.reviews()) {
                if (seen.add(BankTopology.accountScopedKey(r.accountId(), r.transactionId()))) all.add(r);
            }
        }
        all.sort(OLDEST_FIRST);
        if (all.size() > limit) {
            return new FraudReviewList(all.subList(0, limit), true);
        }
        return new FraudReviewList(all, more);
    }

    /** The oldest {@code limit} matching reviews of an iteration, keeping no more than {@code limit + 1} at a time. */
    private static FraudReviewList oldest(KeyValueIterator<String, FraudReview> it, ReviewStatus status, int limit) {
        // newest on top, so the one to drop when there are too many is at hand
        PriorityQueue<FraudReview> kept = new PriorityQueue<>(OLDEST_FIRST.reversed());
        boolean more = false;
        while (it.hasNext()) {
            KeyValue<String, FraudReview> kv = it.next();
            FraudReview r = kv.value;
            if (r == null || (status != null && r.status() != status)) continue;
            kept.add(r);
            if (kept.size() > limit) {
                kept.poll();
                more = true;
            }
        }
        List<FraudReview> reviews = new ArrayList<>(kept);
        reviews.sort(OLDEST_FIRST);
        return new FraudReviewList(reviews, more);
    }
}
