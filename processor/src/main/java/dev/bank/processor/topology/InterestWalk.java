package dev.bank.processor.topology;

import dev.bank.processor.config.HousekeepingConfig;
import dev.bank.schemas.Account;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What an interest tick ({@link InterestTicks}) does, in bounded slices: accrue every account of the task through the
 * tick's date, in account order, then delete history entries past {@code BANK_HISTORY_RETENTION} (through the
 * {@link TimeIndex}: only what is due is read). Each slice stops after {@link HousekeepingConfig#sliceEntries()}
 * accounts or dates, or {@link HousekeepingConfig#sliceTime()}; when work is left it appends a <b>continuation</b>
 * (the tick's key and header, plus {@value #WALK_HEADER} naming the walk, stamped with the tick's own time) to the
 * task's partition of the internal topic, in the same transaction as the slice, and the next slice runs when the task
 * reads it back. Commands queued behind it are applied in between, each accruing its own account first, so after
 * months of downtime the task answers commands while the rest of the bank is caught up.
 *
 * <p>Why this stays exact: every accrual is {@link InterestAccrual#accrueDue} of one account through the tick's
 * date, each date once and in order ({@link Account#lastAccruedDate()} commits with it), whatever slice or command
 * does it; an account is cut across slices only between dates. The walk's state (the tick's time, the phase, the
 * last account done) is kept in the index store and commits with the slice, so a crash resumes from the last commit
 * with the same continuation. A newer tick restarts the walk from the first account (continuations of the old walk
 * are then ignored); an older one, such as a replay, is ignored while a walk is under way. History is purged only
 * once every account is accrued through the tick's date, so no entry an accrual reads is gone.
 */
final class InterestWalk {
    private static final Logger log = LoggerFactory.getLogger(InterestWalk.class);
    /** The header of a continuation: the time of the tick whose walk it continues. */
    static final String WALK_HEADER = "bank.interest.walk";
    /** The index store's state entry of the walk in progress. */
    static final String STATE = "interest-walk";
    private static final int BATCH = 500;

    private enum Phase { ACCRUE, HISTORY, DONE }

    /** A walk in progress: the tick's time, the phase, what it has done so far, and the last account done. */
    private record State(long target, Phase phase, long accounts, long dates, long purged, String cursor) {
        String encode() {
            return target + "\n" + phase + "\n" + accounts + "\n" + dates + "\n" + purged
                    + (cursor == null ? "" : "\n" + cursor);
        }

        static State decode(String s) {
            if (s == null) return null;
            String[] p = s.split("\n", 6);
            return new State(Long.parseLong(p[0]), Phase.valueOf(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]),
                    Long.parseLong(p[4]), p.length == 6 ? p[5] : null);
        }
    }

    private final ProcessorContext<String, byte[]> context;
    private final InterestAccrual accrual;
    private final InterestLogic interest;
    private final KeyValueStore<String, Account> accounts;
    private final TaskStores stores;
    private final HousekeepingConfig config;
    private final TopologyMetrics metrics;

    InterestWalk(ProcessorContext<String, byte[]> context, InterestAccrual accrual, InterestLogic interest,
                 TaskStores stores, HousekeepingConfig config, TopologyMetrics metrics) {
        this.context = context;
        this.accrual = accrual;
        this.interest = interest;
        this.accounts = stores.accounts();
        this.stores = stores;
        this.config = config;
        this.metrics = metrics;
    }

    /** An interest tick or a continuation: one slice of the walk. */
    void tick(Record<String, byte[]> tick) {
        long started = System.nanoTime();
        State state = State.decode(stores.index().state(STATE));
        Header walk = tick.headers().lastHeader(WALK_HEADER);
        if (walk != null) {
            if (state == null || !String.valueOf(state.target()).equals(text(walk))) {
                log.debug("continuation of a finished or replaced interest walk ignored");
                return;
            }
        } else {
            if (state != null && state.target() > tick.timestamp()) {
                log.info("interest tick at {} ignored: the walk of the later tick at {} is under way",
                        Instant.ofEpochMilli(tick.timestamp()), Instant.ofEpochMilli(state.target()));
                return;
            }
            state = new State(tick.timestamp(), Phase.ACCRUE, 0, 0, 0, null);
        }
        // a continuation carries the tick's time; what the walk writes is stamped with it, as the tick's would be
        Record<String, byte[]> cause = tick.withTimestamp(state.target());
        Slice slice = new Slice(config);
        if (state.phase() == Phase.ACCRUE) state = accrue(state, cause, slice);
        if (state.phase() == Phase.HISTORY && !slice.spent()) {
            long cutoff = state.target() - interest.config().historyRetention().toMillis();
            int purged = Housekeeping.purgeHistory(stores.index(), stores.history(), cutoff, slice);
            metrics.purged(TimeIndex.Kind.HISTORY, purged);
            state = new State(state.target(), slice.spent() ? Phase.HISTORY : Phase.DONE, state.accounts(),
                    state.dates(), state.purged() + purged, null);
        }
        metrics.housekeepingSlice("interest", System.nanoTime() - started);
        if (state.phase() == Phase.DONE) {
            stores.index().state(STATE, null);
            log.info("interest tick at {}: {} accounts brought up to date through {} ({} dates accrued), {} history"
                            + " entries past retention dropped", Instant.ofEpochMilli(state.target()), state.accounts(),
                    interest.lastEndedDate(state.target()), state.dates(), state.purged());
            return;
        }
        stores.index().state(STATE, state.encode());
        InterestTicks.sendContinuation(context, state.target());
    }

    /** Accrues accounts after the cursor through the tick's date, within the slice. */
    private State accrue(State state, Record<String, byte[]> cause, Slice slice) {
        String cursor = state.cursor();
        long done = state.accounts();
        long dates = state.dates();
        while (!slice.spent()) {
            List<Account> batch = new ArrayList<>();
            // the least key above the cursor: NUL is below every character an id may use
            try (KeyValueIterator<String, Account> it = accounts.range(cursor == null ? null : cursor + '\u0000',
                    null)) {
                while (it.hasNext() && batch.size() < Math.min(slice.left(), BATCH)) batch.add(it.next().value);
            }
            if (batch.isEmpty()) return new State(state.target(), Phase.HISTORY, done, dates, state.purged(), null);
            for (Account account : batch) {
                if (slice.spent()) return new State(state.target(), Phase.ACCRUE, done, dates, state.purged(), cursor);
                int due = accrual.datesDue(account, cause.timestamp());
                int now = Math.min(due, slice.left());
                if (now > 0) accrual.accrueDue(account, cause, now);
                slice.use(Math.max(1, now));
                dates += now;
                if (now < due) {
                    // the account's later dates go in the next slice, from where these stopped
                    return new State(state.target(), Phase.ACCRUE, done, dates, state.purged(), cursor);
                }
                cursor = account.accountId();
                done++;
            }
        }
        return new State(state.target(), Phase.ACCRUE, done, dates, state.purged(), cursor);
    }

    private static String text(Header h) {
        return h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
