package dev.bank.processor.topology;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One task's index of what housekeeping will delete, by time ({@link BankTopology#HOUSEKEEPING_STORE}), so that a
 * purge reads only what is due, never a whole store. A key is {@code kind (1 byte) + time (8 bytes, big-endian) +
 * the entry's key in its own store (UTF-8)}, the value empty: each kind is one contiguous range in time order, and
 * what is due by {@code cutoff} is the range from the kind's start up to {@code kind + cutoff}. The kind comes first
 * because the kinds have different retentions: with the time first, the idempotency purge would step over every
 * history entry not yet due.
 *
 * <p>The time is the one the retention counts from (an outcome's timestamp, when a transfer completed, a hold closed,
 * a review was decided, when a history entry was superseded), not the time it is due: a changed retention then
 * applies to what is already indexed. An entry written again (a PENDING outcome replaced by the final one) gets a
 * second index entry; the first is stale, and whoever meets it checks the entry's current time before deleting it.
 *
 * <p>Kind 0 holds the task's housekeeping state (the one-time index walk's cursor, the interest walk's), written in
 * the same transaction as the work it describes.
 *
 * <p>Deleting from the start of a RocksDB key range leaves tombstones there that every later seek from the start
 * steps over until compaction; a purge therefore seeks from a per-kind low-water mark (everything below it is
 * deleted) that the task keeps in memory, lowers whenever an entry is indexed below it, and starts from zero
 * after every (re)assignment of the task.
 */
final class TimeIndex {
    /** What an index entry points to, and the order in which a slice serves the kinds. */
    enum Kind {
        PROCESSED(1), TRANSFER(2), HOLD(3), REVIEW(4), HISTORY(5);

        final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }
    }

    /** The kind byte of the task's housekeeping state entries. */
    private static final byte META = 0;
    private static final byte[] EMPTY = new byte[0];

    /** An index entry: its key in the index, the time it is filed under, and the entry's key in its own store. */
    record Entry(Bytes indexKey, Kind kind, long time, String storeKey) {}

    /**
     * The low-water marks of each task of this instance, shared by the task's processors (which index what they write)
     * and kept across punctuations. In memory only: a task starts from zero when it is (re)assigned.
     */
    static final class Marks {
        private final Map<TaskId, long[]> byTask = new ConcurrentHashMap<>();

        /** Forgets a task's marks: its stores may have been restored with entries from another instance. */
        void reset(TaskId task) {
            Arrays.fill(of(task), 0); // in place: the task's other processor may hold them already
        }

        long[] of(TaskId task) {
            return byTask.computeIfAbsent(task, t -> new long[Kind.values().length]);
        }
    }

    private final KeyValueStore<Bytes, byte[]> store;
    private final long[] marks;

    TimeIndex(KeyValueStore<Bytes, byte[]> store, long[] marks) {
        this.store = store;
        this.marks = marks;
    }

    /** Files a store's entry under a time (clamped to 0: no record time is before 1970, and the key is unsigned). */
    void add(Kind kind, long time, String storeKey) {
        long t = Math.max(0, time);
        store.put(key(kind, t, storeKey), EMPTY);
        if (t < marks[kind.ordinal()]) marks[kind.ordinal()] = t;
    }

    /** The kind's entries filed before {@code cutoff}, oldest first, at most {@code max} of them. */
    List<Entry> due(Kind kind, long cutoff, int max) {
        List<Entry> due = new ArrayList<>();
        long from = marks[kind.ordinal()];
        if (cutoff <= from || max <= 0) return due;
        // inclusive bounds: kind + cutoff alone sorts below every key filed at cutoff (they are longer)
        try (KeyValueIterator<Bytes, byte[]> it = store.range(bound(kind, from), bound(kind, cutoff))) {
            while (it.hasNext() && due.size() < max) {
                Bytes k = it.next().key;
                due.add(new Entry(k, kind, timeOf(k), storeKeyOf(k)));
            }
        }
        return due;
    }

    /** Removes an index entry that has been dealt with; everything of its kind before its time is gone. */
    void done(Entry entry) {
        store.delete(entry.indexKey());
        marks[entry.kind().ordinal()] = Math.max(marks[entry.kind().ordinal()], entry.time());
    }

    /** The time of the kind's oldest entry still filed (within what the marks say may exist), or null. */
    Long oldest(Kind kind) {
        try (KeyValueIterator<Bytes, byte[]> it = store.range(bound(kind, marks[kind.ordinal()]),
                bound(kind, Long.MAX_VALUE))) {
            return it.hasNext() ? timeOf(it.next().key) : null;
        }
    }

    String state(String name) {
        byte[] v = store.get(metaKey(name));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    void state(String name, String value) {
        if (value == null) store.delete(metaKey(name));
        else store.put(metaKey(name), value.getBytes(StandardCharsets.UTF_8));
    }

    static Bytes key(Kind kind, long time, String storeKey) {
        byte[] k = storeKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(9 + k.length).put(kind.code).putLong(time).put(k).array());
    }

    private static Bytes bound(Kind kind, long time) {
        return Bytes.wrap(ByteBuffer.allocate(9).put(kind.code).putLong(Math.max(0, time)).array());
    }

    private static Bytes metaKey(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(1 + n.length).put(META).put(n).array());
    }

    static long timeOf(Bytes key) {
        return ByteBuffer.wrap(key.get(), 1, 8).getLong();
    }

    static String storeKeyOf(Bytes key) {
        byte[] k = key.get();
        return new String(Arrays.copyOfRange(k, 9, k.length), StandardCharsets.UTF_8);
    }

    /** Every index entry, for tests: kind, time and store key. */
    static List<KeyValue<Bytes, byte[]>> all(KeyValueStore<Bytes, byte[]> store) {
        List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(all::add);
        }
        return all;
    }
}
