package dev.bank.processor.topology;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.util.ArrayList;
import java.util.List;

/**
 * The account events store ({@link BankTopology#ACCOUNT_EVENTS_STORE}): each account's most recent events, as a ring
 * of {@code kept} slots per account under {@code accountId + NUL + (sequence mod kept)}. Appending event n overwrites
 * event n − kept in its slot: one put per event, no delete (which would be a second changelog record, a tombstone,
 * for every event) and never a scan, and at most {@code kept} entries per account. A live stream that resumes reads
 * what it missed from here; the events topic has them all, for its retention.
 *
 * <p>A slot's value says which sequence it holds, so a read never mistakes an older event for the one it asked for,
 * even after {@code BANK_EVENTS_KEPT} changed (which moves the slots: events before the change are then reported as
 * no longer kept).
 */
public final class AccountEvents {
    /** The most events one page of the query API returns. */
    public static final int MAX_PAGE = 500;

    private AccountEvents() {}

    static String key(String accountId, long sequence, int kept) {
        return accountId + '\u0000' + (sequence % kept);
    }

    /** Stores an event in its slot, in place of the one {@code kept} before it. */
    static void append(KeyValueStore<String, AccountEvent> store, AccountEvent event, int kept) {
        store.put(key(event.accountId(), event.sequence(), kept), event);
    }

    /**
     * The account's kept events with sequence above {@code after}, oldest first, at most {@code limit}; and the oldest
     * sequence from which every event up to the newest is kept, as far as the reader needs to know: at most
     * {@code after + 1} when nothing it asked for is gone.
     *
     * @param latest the account's newest sequence ({@link dev.bank.schemas.Account#eventSequence()})
     */
    public static AccountEventPage page(ReadOnlyKeyValueStore<String, AccountEvent> store, String accountId,
                                        long latest, long after, int limit, int kept) {
        long oldestPossible = Math.max(1, latest - kept + 1);
        long bottom = Math.max(after + 1, oldestPossible);
        List<AccountEvent> newestFirst = new ArrayList<>();
        long firstKept = bottom == oldestPossible ? oldestPossible : after + 1;
        for (long sequence = latest; sequence >= bottom; sequence--) {
            AccountEvent event = store.get(key(accountId, sequence, kept));
            if (event == null || event.sequence() != sequence) {
                firstKept = sequence + 1;
                break;
            }
            newestFirst.add(event);
        }
        List<AccountEvent> events = new ArrayList<>(Math.min(limit, newestFirst.size()));
        for (int i = newestFirst.size() - 1; i >= 0 && events.size() < limit; i--) {
            events.add(newestFirst.get(i));
        }
        return new AccountEventPage(accountId, List.copyOf(events), Math.min(firstKept, latest + 1), latest);
    }
}
