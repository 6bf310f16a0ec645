package dev.bank.processor.topology;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;

/**
 * The account events store ({@link BankTopology#ACCOUNT_EVENTS_STORE}): each account's most recent events under
 * {@code accountId + NUL + 19-digit sequence} (the history store's key layout, so one account's events are one key
 * range in sequence order). It keeps the last {@code kept} of each account: appending event n deletes event
 * n − kept, so what it holds is bounded per account and costs one delete per event, never a scan. A live stream that
 * resumes reads what it missed from here; the events topic has them all, for its retention.
 */
public final class AccountEvents {
    /** The most events one page of the query API returns. */
    public static final int MAX_PAGE = 500;

    private AccountEvents() {}

    static String key(String accountId, long sequence) {
        return History.key(accountId, sequence);
    }

    /** Stores an event and forgets the one {@code kept} before it. */
    static void append(KeyValueStore<String, AccountEvent> store, AccountEvent event, int kept) {
        store.put(key(event.accountId(), event.sequence()), event);
        long dropped = event.sequence() - kept;
        if (dropped >= 1) store.delete(key(event.accountId(), dropped));
    }

    /**
     * The account's kept events with sequence above {@code after}, oldest first, at most {@code limit}.
     *
     * @param latest the account's newest sequence ({@link dev.bank.schemas.Account#eventSequence()})
     */
    public static AccountEventPage page(ReadOnlyKeyValueStore<String, AccountEvent> store, String accountId,
                                        long latest, long after, int limit, int kept) {
        List<AccountEvent> events = new ArrayList<>();
        long firstKept = Math.max(1, latest - kept + 1);
        long from = Math.max(after + 1, firstKept);
        if (from <= latest) {
            try (KeyValueIterator<String, AccountEvent> it = store.range(key(accountId, from), key(accountId, latest))) {
                while (it.hasNext() && events.size() < limit) {
                    KeyValue<String, AccountEvent> next = it.next();
                    events.add(next.value);
                }
            }
        }
        return new AccountEventPage(accountId, List.copyOf(events), firstKept, latest);
    }
}
