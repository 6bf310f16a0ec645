package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HistoryPage;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Statement;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading and writing the history store ({@link BankTopology#HISTORY_STORE}): every ledger entry the task posts,
 * under {@code accountId + NUL + 19-digit zero-padded sequence}. NUL sorts below every character an id may use and
 * the sequence is fixed-width, so one account's entries are one contiguous key range in sequence order: pages,
 * balances as of a time and statements are range or reverse-range scans over it, never a full scan. Every iterator
 * is closed (try-with-resources).
 */
public final class History {
    public static final int MAX_PAGE = 500;
    public static final int DEFAULT_PAGE = 50;

    private History() {}

    public static String key(String accountId, long sequence) {
        // zero-padded to 19 digits so keys sort by sequence; by hand, as String.format showed in the stream
        // thread's profile (docs/performance.md)
        String digits = Long.toString(sequence);
        return accountId + '\u0000' + "0000000000000000000".substring(digits.length()) + digits;
    }

    private static String first(String accountId) {
        return key(accountId, 0);
    }

    private static String last(String accountId) {
        return key(accountId, Long.MAX_VALUE);
    }

    /**
     * Stores a new entry with its value timestamp: its own timestamp, or the previous entry's value timestamp when
     * that is later, so value timestamps never decrease along an account's sequence (see {@link HistoryEntry}).
     */
    static HistoryEntry append(KeyValueStore<String, HistoryEntry> store, LedgerEntry entry) {
        HistoryEntry previous = entry.sequence() > 1 ? store.get(key(entry.accountId(), entry.sequence() - 1)) : null;
        long value = previous == null ? entry.timestamp() : Math.max(entry.timestamp(), previous.valueTimestamp());
        HistoryEntry stored = new HistoryEntry(entry, value);
        store.put(key(entry.accountId(), entry.sequence()), stored);
        return stored;
    }

    /**
     * The balance at {@code time}: after the last entry whose value timestamp is at or before it. When every
     * retained entry is later, the balance before the oldest of them; when nothing is retained, the account's
     * balance (nothing has moved it within the retention).
     */
    public static long balanceAsOf(ReadOnlyKeyValueStore<String, HistoryEntry> store, Account account, long time) {
        HistoryEntry oldest = null;
        try (KeyValueIterator<String, HistoryEntry> it = store.reverseRange(first(account.accountId()),
                last(account.accountId()))) {
            while (it.hasNext()) {
                HistoryEntry h = it.next().value;
                if (h.valueTimestamp() <= time) return h.entry().balanceAfterMinor();
                oldest = h;
            }
        }
        return oldest != null ? oldest.entry().balanceBeforeMinor() : account.balanceMinor();
    }

    /**
     * A page of an account's entries, newest first, whose value timestamps lie in {@code [from, to]}.
     *
     * @param beforeSequence the cursor: only entries with a lower sequence (null: from the newest)
     */
    public static HistoryPage page(ReadOnlyKeyValueStore<String, HistoryEntry> store,
                                   ReadOnlyKeyValueStore<String, Hold> holdStore, Account account, long from,
                                   long to, int limit, Long beforeSequence) {
        String upper = beforeSequence == null ? last(account.accountId()) : key(account.accountId(), beforeSequence - 1);
        List<HistoryEntry> entries = new ArrayList<>();
        String next = null;
        if (beforeSequence == null || beforeSequence > 1) {
            try (KeyValueIterator<String, HistoryEntry> it = store.reverseRange(first(account.accountId()), upper)) {
                while (it.hasNext()) {
                    HistoryEntry h = it.next().value;
                    if (h.valueTimestamp() > to) continue;
                    if (h.valueTimestamp() < from) break; // value timestamps only go down from here
                    if (entries.size() == limit) {
                        next = String.valueOf(entries.get(limit - 1).entry().sequence());
                        break;
                    }
                    entries.add(h);
                }
            }
        }
        List<Hold> holds = beforeSequence != null ? List.of() : holdsIn(holdStore, account, from, to);
        if (holds.size() > limit) holds = holds.subList(0, limit);
        return new HistoryPage(account.accountId(), account.currency(), entries, next, holds);
    }

    /** The account's holds that were active at some time in {@code [from, to]}, newest first. */
    private static List<Hold> holdsIn(ReadOnlyKeyValueStore<String, Hold> holdStore, Account account, long from,
                                      long to) {
        List<Hold> holds = new ArrayList<>(holdsOf(holdStore, account.accountId(),
                h -> h.createdAt() <= to && (h.closedAt() == null || h.closedAt() >= from)));
        java.util.Collections.reverse(holds);
        return holds;
    }

    /**
     * The account's holds that {@code keep} holds for, oldest first. Its keys are accountId NUL holdId, and no id has a
     * character below '-', so they all sort between accountId NUL and accountId SOH.
     */
    public static List<Hold> holdsOf(ReadOnlyKeyValueStore<String, Hold> holdStore, String accountId,
                                     java.util.function.Predicate<Hold> keep) {
        List<Hold> holds = new ArrayList<>();
        try (KeyValueIterator<String, Hold> it = holdStore.range(accountId + '\u0000', accountId + '\u0001')) {
            it.forEachRemaining(kv -> {
                if (keep.test(kv.value)) holds.add(kv.value);
            });
        }
        holds.sort(java.util.Comparator.comparingLong(Hold::createdAt));
        return holds;
    }

    /** The account's statement for a month of the business zone; opening + entries = closing by construction. */
    public static Statement statement(ReadOnlyKeyValueStore<String, HistoryEntry> store,
                                      ReadOnlyKeyValueStore<String, Hold> holdStore, Account account,
                                      YearMonth month, InterestLogic interest) {
        long from = interest.startOfDay(month.atDay(1));
        long to = interest.startOfDay(month.plusMonths(1).atDay(1));
        long opening = balanceAsOf(store, account, from - 1);
        List<HistoryEntry> entries = new ArrayList<>();
        try (KeyValueIterator<String, HistoryEntry> it = store.range(first(account.accountId()), last(account.accountId()))) {
            while (it.hasNext()) {
                HistoryEntry h = it.next().value;
                if (h.valueTimestamp() >= to) break;
                if (h.valueTimestamp() >= from) entries.add(h);
            }
        }
        long closing = opening;
        long credits = 0;
        long debits = 0;
        long interestPaid = 0;
        long interestCharged = 0;
        for (HistoryEntry h : entries) {
            LedgerEntry e = h.entry();
            closing = Math.addExact(closing, e.type().sign() * e.amountMinor());
            if (e.type().sign() > 0) credits += e.amountMinor();
            else debits += e.amountMinor();
            if (e.type() == EntryType.INTEREST) interestPaid += e.amountMinor();
            if (e.type() == EntryType.INTEREST_CHARGE) interestCharged += e.amountMinor();
        }
        // memo lines: the holds active at some time in [from, to), oldest first
        List<Hold> holds = holdsOf(holdStore, account.accountId(),
                h -> h.createdAt() < to && (h.closedAt() == null || h.closedAt() >= from));
        return new Statement(account.accountId(), account.currency(), month.toString(),
                interest.config().zone().getId(), from, to,
                account.interestRate() == null ? interest.defaultRate() : account.interestRate(),
                opening, closing, credits, debits, interestPaid, interestCharged, entries, holds);
    }
}
