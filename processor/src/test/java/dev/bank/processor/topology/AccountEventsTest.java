package dev.bank.processor.topology;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import dev.bank.schemas.AccountEventType;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ring of kept events, with any number of events appended, under any slot count, read after any sequence: a
 * page is contiguous, starts after what the reader has, ends at the newest or the limit, and whenever it cannot start
 * right after what the reader has, it says so. Also after the slot count changed (events written under another one).
 */
class AccountEventsTest {

    /** A store as the page reads it: point lookups. */
    private static final class MapStore implements ReadOnlyKeyValueStore<String, AccountEvent> {
        final Map<String, AccountEvent> values = new HashMap<>();

        @Override public AccountEvent get(String key) { return values.get(key); }
        @Override public KeyValueIterator<String, AccountEvent> range(String from, String to) { throw new UnsupportedOperationException(); }
        @Override public KeyValueIterator<String, AccountEvent> all() { throw new UnsupportedOperationException(); }
        @Override public long approximateNumEntries() { return values.size(); }
    }

    private static AccountEvent event(long sequence) {
        return new AccountEvent("acc", sequence, AccountEventType.HOLD_PLACED, sequence, "EUR", 0, 0, 0, null, null,
                null, null);
    }

    @Property(tries = 3000)
    void aPageIsContiguousAndSaysWhenItCannotStartWhereTheReaderIs(
            @ForAll @LongRange(min = 0, max = 3000) long latest, @ForAll @IntRange(min = 1, max = 50) int kept,
            @ForAll @IntRange(min = 1, max = 50) int keptBefore, @ForAll @LongRange(min = 0, max = 3000) long changedAt,
            @ForAll @LongRange(min = 0, max = 3100) long after, @ForAll @IntRange(min = 1, max = 60) int limit) {
        MapStore store = new MapStore();
        // events up to changedAt were written with another slot count; later ones with this one
        java.util.function.ObjLongConsumer<Integer> write = (slots, n) -> store.values.put(
                AccountEvents.key("acc", n, slots), event(n));
        for (long n = 1; n <= latest; n++) write.accept(n <= changedAt ? keptBefore : kept, n);

        AccountEventPage page = AccountEvents.page(store, "acc", latest, after, limit, kept);

        assertThat(page.latest()).isEqualTo(latest);
        boolean missed = after < page.firstKept() - 1;
        long start = missed ? page.firstKept() : after + 1;
        long expectedSize = Math.max(0, Math.min(limit, latest - start + 1));
        assertThat(page.events()).hasSize((int) expectedSize);
        for (int i = 0; i < page.events().size(); i++) {
            assertThat(page.events().get(i).sequence()).isEqualTo(start + i);
        }
        // every event the page claims to keep really is there: from firstKept up to latest, none is missing
        for (long n = Math.max(page.firstKept(), after + 1); n <= latest; n++) {
            AccountEvent kept1 = store.get(AccountEvents.key("acc", n, kept));
            assertThat(kept1).as("%d is kept", n).isNotNull();
            assertThat(kept1.sequence()).isEqualTo(n);
        }
        if (keptBefore == kept || changedAt == 0) {
            // the ring as configured: it keeps exactly the last `kept`
            assertThat(missed).isEqualTo(after < latest - kept);
        }
    }
}
