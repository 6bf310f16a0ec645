package dev.bank.processor.topology;

import dev.bank.processor.config.HousekeepingConfig;
import dev.bank.processor.topology.TimeIndex.Entry;
import dev.bank.processor.topology.TimeIndex.Kind;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Transfer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Forgets, in bounded slices, what the task no longer needs: transactionIds, finished transfers, ended holds and
 * decided fraud reviews older than the idempotency retention, found through the task's {@link TimeIndex} so that the
 * work is proportional to what is due, not to the stores' size. History past its retention goes with the interest
 * walk ({@link InterestWalk}), which is driven by the log.
 *
 * <p><b>What may go</b> (the same rules as ever): a transactionId once its outcome is older than the retention,
 * unless the outcome is still IN_REVIEW (the payment's final outcome replaces it when the review ends) or PENDING
 * (a transfer whose legs are in flight: forgetting it would let a retry debit a second time); a transfer once
 * COMPLETED or REFUNDED that long ago; a hold once it ended that long ago; a review once it was decided that long ago.
 * An entry is filed in the index only once it is in such an end state ({@link #file}), under the time its
 * retention counts from; the purge reads the entry again and deletes it only if it still is.
 *
 * <p><b>Slices.</b> A wall-clock punctuation every {@link HousekeepingConfig#catchUpInterval()} does nothing until
 * {@link HousekeepingConfig#interval()} has passed since the last look, unless the last slice left work behind: then
 * it goes on at once. A slice stops after {@link HousekeepingConfig#sliceEntries()} entries or
 * {@link HousekeepingConfig#sliceTime()}, so days of expiries after a downtime are worked off in many short slices
 * between which the task goes on applying commands. Every delete commits in the task's transaction, with the index
 * entry's removal.
 *
 * <p><b>Stores from before the index.</b> Entries written before this version have no index entry. A task walks its
 * stores once, in slices after the purge's, filing every entry as a write would have; the walk's cursor is kept in
 * the index store, so it resumes where it stopped after a restart or a move. Until it has passed an entry, that entry
 * is only kept longer than its retention, never deleted early.
 */
final class Housekeeping {
    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);
    /** The index store's state entry of the one-time walk that files entries written before the index. */
    static final String INDEX_WALK = "index-walk";
    /** The kinds the wall clock purges, in the order a slice serves them. */
    private static final Kind[] BY_CLOCK = {Kind.PROCESSED, Kind.TRANSFER, Kind.HOLD, Kind.REVIEW};
    /** The most index entries or store entries read into memory at once. */
    private static final int BATCH = 500;

    private final TaskStores stores;
    private final TimeIndex index;
    private final HousekeepingConfig config;
    private final Duration retention;
    private final TopologyMetrics metrics;
    private final String task;
    private long lastLook;
    private boolean looked;
    /** The last slice stopped with work left: the next punctuation goes on. */
    private boolean behind;
    /** The one-time walk is done for this index generation (cached from the index store). */
    private boolean indexed;

    Housekeeping(TaskStores stores, HousekeepingConfig config, Duration retention, TopologyMetrics metrics,
                 String task) {
        this.stores = stores;
        this.index = stores.index();
        this.config = config;
        this.retention = retention;
        this.metrics = metrics;
        this.task = task;
    }

    // ---- what is filed, and under which time ----

    /** The time a transactionId's retention counts from, or null while it must be kept whatever its age. */
    static Long since(ProcessedCommand p) {
        OutcomeStatus status = p.outcome().status();
        return status == OutcomeStatus.IN_REVIEW || status == OutcomeStatus.PENDING ? null : p.outcome().timestamp();
    }

    static Long since(Transfer t) {
        return t.completedAt();
    }

    static Long since(Hold h) {
        return h.closedAt();
    }

    static Long since(FraudReview r) {
        return r.decidedAt();
    }

    static void file(TimeIndex index, String key, ProcessedCommand p) {
        Long t = since(p);
        if (t != null) index.add(Kind.PROCESSED, t, key);
    }

    static void file(TimeIndex index, String key, Transfer t) {
        if (t.completedAt() != null) index.add(Kind.TRANSFER, t.completedAt(), key);
    }

    static void file(TimeIndex index, String key, Hold h) {
        if (h.closedAt() != null) index.add(Kind.HOLD, h.closedAt(), key);
    }

    static void file(TimeIndex index, String key, FraudReview r) {
        if (r.decidedAt() != null) index.add(Kind.REVIEW, r.decidedAt(), key);
    }

    /**
     * A history entry supersedes the one before it: the retention keeps, of an account's entries older than the
     * cutoff, only the newest (so balances as of any later time still read from the store), and that is exactly the
     * entry not yet superseded before the cutoff. So the previous entry is filed under this one's value time; value
     * times never decrease along an account's sequence ({@link History#append}).
     */
    static void file(TimeIndex index, String key, HistoryEntry h) {
        long sequence = h.entry().sequence();
        if (sequence > 1) index.add(Kind.HISTORY, h.valueTimestamp(), History.key(h.entry().accountId(), sequence - 1));
    }

    // ---- the punctuation ----

    void schedule(ProcessorContext<?, ?> context) {
        context.schedule(config.catchUpInterval(), PunctuationType.WALL_CLOCK_TIME, this::run);
    }

    void run(long now) {
        if (!behind && looked && now - lastLook < config.interval().toMillis()) return;
        looked = true;
        lastLook = now;
        long started = System.nanoTime();
        Slice slice = new Slice(config);
        long cutoff = now - retention.toMillis();
        int[] purged = new int[Kind.values().length];
        boolean more = purge(cutoff, slice, purged);
        int filed = 0;
        if (!more && !indexed) {
            int before = slice.used();
            more = walkOldEntries(slice);
            filed = slice.used() - before;
        }
        behind = more;
        metrics.housekeepingSlice("purge", System.nanoTime() - started);
        for (Kind kind : BY_CLOCK) metrics.purged(kind, purged[kind.ordinal()]);
        metrics.indexed(filed);
        metrics.behind(task, more ? behindBy(cutoff) : 0);
        int total = purged[0] + purged[1] + purged[2] + purged[3];
        if (total > 0) {
            log.info("purged {} transactionIds, {} finished transfers, {} ended holds and {} decided fraud reviews"
                            + " older than {}{}", purged[0], purged[1], purged[2], purged[3], retention,
                    more ? "; more are due, going on in " + config.catchUpInterval() : "");
        }
    }

    /** How far past its due time the oldest entry still to purge is, in millis (0: nothing is due). */
    private long behindBy(long cutoff) {
        long oldest = Long.MAX_VALUE;
        for (Kind kind : BY_CLOCK) {
            Long t = index.oldest(kind);
            if (t != null) oldest = Math.min(oldest, t);
        }
        return oldest < cutoff ? cutoff - oldest : 0;
    }

    /** Purges what is due by {@code cutoff}; true when the slice ran out first. */
    private boolean purge(long cutoff, Slice slice, int[] purged) {
        for (Kind kind : BY_CLOCK) {
            while (true) {
                if (slice.spent()) return true;
                List<Entry> due = index.due(kind, cutoff, Math.min(slice.left(), BATCH));
                if (due.isEmpty()) break;
                for (Entry entry : due) {
                    if (slice.spent()) return true;
                    if (expire(entry)) purged[kind.ordinal()]++;
                    index.done(entry);
                    slice.use(1);
                }
            }
        }
        return false;
    }

    private boolean expire(Entry entry) {
        return switch (entry.kind()) {
            case PROCESSED -> expire(stores.processed(), entry, Housekeeping::since);
            case TRANSFER -> expire(stores.transfers(), entry, Housekeeping::since);
            case HOLD -> expire(stores.holds(), entry, Housekeeping::since);
            case REVIEW -> expire(stores.fraudReviews(), entry, Housekeeping::since);
            case HISTORY -> stores.history().delete(entry.storeKey()) != null;
        };
    }

    /**
     * Deletes the entry an index entry points to, if it is still what was filed: there, in an end state, under the
     * same time. Otherwise the index entry was stale (the entry was deleted, or written again and filed anew).
     */
    private static <V> boolean expire(KeyValueStore<String, V> store, Entry entry, Function<V, Long> since) {
        V value = store.get(entry.storeKey());
        Long t = value == null ? null : since.apply(value);
        if (t == null || Math.max(0, t) != entry.time()) return false;
        store.delete(entry.storeKey());
        return true;
    }

    /**
     * Deletes history entries superseded before {@code cutoff}, within the slice (see {@link #file(TimeIndex,
     * String, HistoryEntry)}); called by the interest walk, after every account is accrued through the tick's date, so
     * no entry an accrual still needs is gone.
     *
     * @return how many were deleted
     */
    static int purgeHistory(TimeIndex index, KeyValueStore<String, HistoryEntry> history, long cutoff, Slice slice) {
        int purged = 0;
        while (!slice.spent()) {
            List<Entry> due = index.due(Kind.HISTORY, cutoff, Math.min(slice.left(), BATCH));
            if (due.isEmpty()) return purged;
            for (Entry entry : due) {
                if (slice.spent()) return purged;
                if (history.delete(entry.storeKey()) != null) purged++;
                index.done(entry);
                slice.use(1);
            }
        }
        return purged;
    }

    // ---- the one-time walk over entries written before the index ----

    /**
     * Files, within the slice, the entries of every store as a write would have, from where the walk stopped.
     *
     * @return true while the walk is not finished
     */
    private boolean walkOldEntries(Slice slice) {
        String generation = config.indexGeneration();
        String state = index.state(INDEX_WALK);
        String[] parts = state == null ? new String[0] : state.split("\n", 3);
        int kind = 0;
        String cursor = null;
        if (parts.length >= 2 && parts[0].equals(generation)) {
            if (parts[1].equals("done")) {
                indexed = true;
                return false;
            }
            kind = Integer.parseInt(parts[1]);
            cursor = parts.length == 3 ? parts[2] : null;
        } else {
            log.info("indexing this task's entries written without a time index (generation {}), in slices", generation);
        }
        Kind[] kinds = Kind.values();
        while (kind < kinds.length && !slice.spent()) {
            Walked walked = walk(kinds[kind], cursor, slice);
            if (walked.done()) {
                kind++;
                cursor = null;
            } else {
                cursor = walked.last();
            }
        }
        if (kind == kinds.length) {
            index.state(INDEX_WALK, generation + "\ndone");
            indexed = true;
            log.info("every entry of this task is in its time index (generation {})", generation);
            return false;
        }
        index.state(INDEX_WALK, generation + "\n" + kind + (cursor == null ? "" : "\n" + cursor));
        return true;
    }

    /** How far a slice took the walk through one store: the last key filed (null: none yet), and whether it is done. */
    private record Walked(String last, boolean done) {}

    /** Files one store's entries after {@code cursor} (null: from the first), within the slice. */
    private Walked walk(Kind kind, String cursor, Slice slice) {
        return switch (kind) {
            case PROCESSED -> walk(stores.processed(), cursor, slice, Housekeeping::file);
            case TRANSFER -> walk(stores.transfers(), cursor, slice, Housekeeping::file);
            case HOLD -> walk(stores.holds(), cursor, slice, Housekeeping::file);
            case REVIEW -> walk(stores.fraudReviews(), cursor, slice, Housekeeping::file);
            case HISTORY -> walk(stores.history(), cursor, slice, Housekeeping::file);
        };
    }

    private <V> Walked walk(KeyValueStore<String, V> store, String cursor, Slice slice, IndexedStore.Filing<V> filing) {
        String last = cursor;
        while (!slice.spent()) {
            List<KeyValue<String, V>> batch = new ArrayList<>();
            // the next key after the cursor: NUL is the least character, so cursor + NUL is the least key above it
            try (KeyValueIterator<String, V> it = store.range(last == null ? null : last + '\u0000', null)) {
                while (it.hasNext() && batch.size() < Math.min(slice.left(), BATCH)) batch.add(it.next());
            }
            if (batch.isEmpty()) return new Walked(last, true);
            for (KeyValue<String, V> kv : batch) {
                if (slice.spent()) return new Walked(last, false);
                filing.file(index, kv.key, kv.value);
                last = kv.key;
                slice.use(1);
            }
        }
        return new Walked(last, false);
    }
}
