package dev.bank.processor.query;

import dev.bank.processor.store.StoreSerdes;
import dev.bank.processor.topology.BankTopology;
import dev.bank.schemas.Command;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudReviewList;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.ReviewStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The review queue's building blocks against a real (in-memory) store with the production serde: whatever the store
 * holds, a scan answers exactly the oldest {@code limit} reviews that match, in order, and says whether there were
 * more; an account's range holds its own reviews and no neighbour's; and partitions merged give the same queue as one
 * store holding everything (so scatter-gather over instances loses, reorders and doubles nothing).
 */
class ReviewsTest {

    @Property(tries = 200)
    void aScanAnswersTheOldestMatchingReviewsInOrderAndSaysWhetherThereWereMore(
            @ForAll("reviews") List<FraudReview> stored, @ForAll("statuses") ReviewStatus status,
            @ForAll @IntRange(min = 1, max = 12) int limit) {
        KeyValueStore<String, FraudReview> store = store(stored);
        List<FraudReview> matching = stored.stream().filter(r -> status == null || r.status() == status)
                .sorted(Reviews.OLDEST_FIRST).toList();

        FraudReviewList answer = Reviews.ofPartition(store, status, limit);

        assertThat(answer.reviews()).containsExactlyElementsOf(matching.subList(0, Math.min(limit, matching.size())));
        assertThat(answer.more()).isEqualTo(matching.size() > limit);
    }

    @Property(tries = 200)
    void anAccountsReviewsAreItsOwnEvenWhenAnotherAccountsIdStartsWithIt(
            @ForAll("reviews") List<FraudReview> stored, @ForAll @IntRange(min = 1, max = 40) int limit) {
        KeyValueStore<String, FraudReview> store = store(stored);
        for (String account : List.of("acc", "acc-1", "acc-10", "b")) {
            List<FraudReview> own = stored.stream().filter(r -> r.accountId().equals(account))
                    .sorted(Reviews.OLDEST_FIRST).toList();
            FraudReviewList answer = Reviews.ofAccount(store, account, null, limit);
            assertThat(answer.reviews()).as(account).containsExactlyElementsOf(own.subList(0, Math.min(limit, own.size())));
            assertThat(answer.more()).isEqualTo(own.size() > limit);
        }
    }

    @Property(tries = 200)
    void partitionsMergedAreTheSameQueueAsOneStoreEvenWhenOneWasAskedTwice(
            @ForAll("reviews") List<FraudReview> stored, @ForAll @IntRange(min = 1, max = 4) int partitionCount,
            @ForAll @IntRange(min = 1, max = 12) int limit) {
        List<List<FraudReview>> partitions = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) partitions.add(new ArrayList<>());
        for (FraudReview r : stored) partitions.get(Math.floorMod(r.accountId().hashCode(), partitionCount)).add(r);
        List<FraudReviewList> parts = new ArrayList<>();
        for (List<FraudReview> p : partitions) parts.add(Reviews.ofPartition(store(p), ReviewStatus.PENDING, limit));
        parts.add(parts.get(0)); // a partition answered by two instances while it moved

        FraudReviewList merged = Reviews.merge(parts, limit);

        FraudReviewList whole = Reviews.ofPartition(store(stored), ReviewStatus.PENDING, limit);
        assertThat(merged).isEqualTo(whole);
    }

    @Example
    void limitsAndStatusesOutsideTheRulesAreBadQueries() {
        assertThat(Reviews.limit(null)).isEqualTo(Reviews.DEFAULT_LIMIT);
        assertThat(Reviews.limit(Reviews.MAX_LIMIT)).isEqualTo(1000);
        assertThatThrownBy(() -> Reviews.limit(0)).isInstanceOf(BadQueryException.class);
        assertThatThrownBy(() -> Reviews.limit(1001)).isInstanceOf(BadQueryException.class);
        assertThat(Reviews.status("pending")).isEqualTo(ReviewStatus.PENDING);
        assertThat(Reviews.status(null)).isNull();
        assertThatThrownBy(() -> Reviews.status("OPEN")).isInstanceOf(BadQueryException.class)
                .hasMessageContaining("PENDING, APPROVED, REJECTED, EXPIRED");
    }

    // ---- the store and the generators ----

    private static KeyValueStore<String, FraudReview> store(List<FraudReview> reviews) {
        KeyValueStore<String, FraudReview> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(BankTopology.FRAUD_REVIEWS_STORE), Serdes.String(),
                StoreSerdes.fraudReviews()).withLoggingDisabled().build();
        MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
        store.init(context.getStateStoreContext(), store);
        for (FraudReview r : reviews) store.put(BankTopology.accountScopedKey(r.accountId(), r.transactionId()), r);
        return store;
    }

    @Provide
    Arbitrary<List<FraudReview>> reviews() {
        Arbitrary<FraudReview> review = Combinators.combine(Arbitraries.of("acc", "acc-1", "acc-10", "b"),
                Arbitraries.integers().between(1, 30), Arbitraries.of(ReviewStatus.values()),
                // few distinct times, so ties are common and the order must not depend on the store's
                Arbitraries.longs().between(1_700_000_000_000L, 1_700_000_000_005L))
                .as((account, n, status, at) -> review(account, "pay-" + n, status, at));
        // one review per account and payment, as the store keeps them
        return review.list().ofMaxSize(30).map(list -> {
            Map<String, FraudReview> unique = new LinkedHashMap<>();
            for (FraudReview r : list) unique.putIfAbsent(r.accountId() + "/" + r.transactionId(), r);
            return List.copyOf(unique.values());
        });
    }

    @Provide
    Arbitrary<ReviewStatus> statuses() {
        return Arbitraries.of(ReviewStatus.values()).injectNull(0.2);
    }

    private static FraudReview review(String account, String id, ReviewStatus status, long at) {
        boolean ended = status != ReviewStatus.PENDING;
        return new FraudReview(account, id, Command.debit(id, account, "2500.00"), 250_000, "EUR", 60,
                List.of(new FraudFinding(FraudRule.VELOCITY, 60, "9 debits and transfers out within 600 s",
                        Map.of("count", "9", "maxCount", "8"))),
                status, at, at + 86_400_000L, ended ? ReviewStatus.REJECTED : null, ended ? at + 1 : null,
                ended && status != ReviewStatus.EXPIRED ? "an-admin" : null);
    }
}
