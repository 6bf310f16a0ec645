package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldStatus;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Releasing holds at their expiry, exactly once and deterministically from the log, never by a client and never
 * by the clock directly.
 *
 * <p>What is due is decided by record timestamps: before a command is applied to an account, every hold of the
 * account that expired by the command's timestamp is released ({@link #releaseDue}), so a debit a second after a
 * hold expired already finds the money available. Holds of accounts that see no command are released by an
 * <b>expiry tick</b>: a wall-clock punctuation that finds an active hold past its expiry appends a tick, stamped
 * with the wall-clock time, to the task's own partition of the processor's internal topic (as interest ticks
 * are, {@link InterestTicks}); read back in log order, the tick releases every hold expired by its timestamp.
 * Reprocessing after a crash meets the same ticks at the same offsets and releases exactly the same.
 *
 * <p>The index ({@link BankTopology#HOLD_EXPIRIES_STORE}) holds every active hold that expires twice: by account
 * ({@code accountId NUL expiry NUL holdId}), to find an account's due holds without reading its others, and by time
 * ({@code SOH expiry NUL accountId NUL holdId}, SOH being U+0001, which no account id starts with), for the tick.
 * Expiries are 19-digit zero-padded epoch millis, so the keys sort by time. Both entries go when the hold ends.
 */
final class HoldExpiry {
    private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);
    static final String KEY = "\u0000hold-expiry-tick";
    static final String HEADER = "bank.hold.expiry.tick";
    /** How often the punctuation looks for a hold past its expiry; a command on the account does not wait for it. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);
    private static final char BY_TIME = '\u0001';
    private static final char SEP = '\u0000';

    private final AccountLogic logic;
    private final KeyValueStore<String, Account> accounts;
    private final KeyValueStore<String, Hold> holds;
    private final KeyValueStore<String, String> index;
    private final DecisionWriter writer;
    private final FraudDesk fraud;

    /** @param fraud ends a review whose hold expires, as the configured default says */
    HoldExpiry(AccountLogic logic, TaskStores stores, DecisionWriter writer, FraudDesk fraud) {
        this.fraud = fraud;
        this.logic = logic;
        this.accounts = stores.accounts();
        this.holds = stores.holds();
        this.index = stores.holdExpiries();
        this.writer = writer;
    }

    /** Keeps the index in step with a hold as a decision leaves it: listed while active with an expiry, else not. */
    static void index(KeyValueStore<String, String> index, Hold hold) {
        if (hold.expiresAt() == null) return;
        String byAccount = byAccount(hold.accountId(), hold.expiresAt(), hold.holdId());
        String byTime = byTime(hold.expiresAt(), hold.accountId(), hold.holdId());
        if (hold.status() == HoldStatus.ACTIVE) {
            index.put(byAccount, hold.holdId());
            index.put(byTime, hold.holdId());
        } else {
            index.delete(byAccount);
            index.delete(byTime);
        }
    }

    static boolean isTick(Record<String, byte[]> record) {
        return InterestTicks.isTick(record, KEY, HEADER);
    }

    /**
     * Releases the account's holds that expired by the record's timestamp, in expiry order.
     *
     * @return the account after the releases (the same when none was due)
     */
    Account releaseDue(Account account, Record<String, byte[]> cause) {
        if (account == null || account.heldMinor() == 0) return account; // nothing held: no index to read
        Long dueFrom = account.holdsDueFrom();
        // Before the bound no hold can have expired: the index is not read. It matters: a range read seeks past the
        // deletions the ended holds left in RocksDB, which on an account with many holds cost more than the command.
        if (dueFrom != null && cause.timestamp() < dueFrom) return account;
        // One read of the account's part of the index, in expiry order: what is due by now, then the first expiry
        // after it, which is the next bound once the due holds are released
        List<String> due = new ArrayList<>();
        List<Long> dueAt = new ArrayList<>();
        long later = Account.NO_HOLD_EXPIRES;
        String prefix = account.accountId() + SEP;
        // every key of the account's is its prefix, 19 digits, NUL, an id: all below prefix + U+FFFF
        try (KeyValueIterator<String, String> it = index.range(prefix, prefix + '\uffff')) {
            while (it.hasNext()) {
                var entry = it.next();
                long expiry = Long.parseLong(entry.key.substring(prefix.length(), prefix.length() + 19));
                if (expiry > cause.timestamp()) {
                    later = expiry;
                    break;
                }
                due.add(entry.value);
                dueAt.add(expiry);
            }
        }
        Long next = later;
        for (int i = 0; i < due.size(); i++) {
            String holdId = due.get(i);
            Hold hold = holds.get(BankTopology.accountScopedKey(account.accountId(), holdId));
            if (hold == null || !hold.expiredBy(cause.timestamp())) {
                next = Math.min(next, dueAt.get(i)); // still listed: it bounds the next look as before
                continue;
            }
            FraudReview review = fraud.pendingReviewHolding(account.accountId(), holdId);
            if (review != null) {
                account = fraud.expire(account, review, cause);
                continue;
            }
            Decision release = logic.expire(account, hold, cause.timestamp());
            writer.commit(release, cause);
            account = release.newState();
            log.info("hold expired accountId={} holdId={} released={}", account.accountId(), holdId,
                    hold.remainingMinor());
        }
        // the next expiry among the holds still active is the new bound, exact until another hold is placed
        if (!next.equals(account.holdsDueFrom())) {
            Decision bounded = new Decision(account.withHoldsDueFrom(next), null, null);
            writer.commit(bounded, cause);
            account = bounded.newState();
        }
        return account;
    }

    /** An expiry tick: every hold of this task that expired by the tick's timestamp is released. */
    void tick(Record<String, byte[]> tick) {
        Set<String> accountIds = new LinkedHashSet<>();
        try (KeyValueIterator<String, String> it = index.range(String.valueOf(BY_TIME),
                BY_TIME + pad(tick.timestamp()) + BY_TIME)) {
            while (it.hasNext()) {
                String key = it.next().key;
                int from = key.indexOf(SEP) + 1;
                accountIds.add(key.substring(from, key.indexOf(SEP, from)));
            }
        }
        for (String accountId : accountIds) {
            releaseDue(accounts.get(accountId), tick);
        }
        if (!accountIds.isEmpty()) log.info("hold expiry tick: {} accounts had holds to release", accountIds.size());
    }

    /**
     * Appends an expiry tick when some active hold of this task has passed its expiry by the wall clock. Until the
     * tick is read back the check may send another; the second finds nothing left to release.
     */
    void schedule(ProcessorContext<String, byte[]> context) {
        context.schedule(CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> {
            boolean due;
            try (KeyValueIterator<String, String> it = index.range(String.valueOf(BY_TIME),
                    BY_TIME + pad(now) + BY_TIME)) {
                due = it.hasNext();
            }
            if (due) InterestTicks.send(context, KEY, HEADER, Long.toString(now), now);
        });
    }

    private static String byAccount(String accountId, long expiresAt, String holdId) {
        return accountId + SEP + pad(expiresAt) + SEP + holdId;
    }

    private static String byTime(long expiresAt, String accountId, String holdId) {
        return BY_TIME + pad(expiresAt) + SEP + accountId + SEP + holdId;
    }

    /** Epoch millis as 19 digits, so that keys sort by time; an expiry before 1970 is refused when placed. */
    private static String pad(long epochMillis) {
        return String.format("%019d", Math.max(0, epochMillis));
    }
}
