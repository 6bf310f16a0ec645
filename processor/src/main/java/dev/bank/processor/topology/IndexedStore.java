package dev.bank.processor.topology;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.util.List;

/**
 * A task's store as its processors see it: every value written is filed in the task's {@link TimeIndex} at the same
 * moment, in the same task and transaction (both stores are changelogged), so no code path that writes an entry can
 * forget to index it. Reads and deletes go straight through. The query server reads the stores themselves.
 */
final class IndexedStore<V> implements KeyValueStore<String, V> {
    /** How a value written under a key is filed (or not, while it may not be purged). */
    @FunctionalInterface
    interface Filing<V> {
        void file(TimeIndex index, String key, V value);
    }

    private final KeyValueStore<String, V> inner;
    private final TimeIndex index;
    private final Filing<V> filing;

    IndexedStore(KeyValueStore<String, V> inner, TimeIndex index, Filing<V> filing) {
        this.inner = inner;
        this.index = index;
        this.filing = filing;
    }

    @Override
    public void put(String key, V value) {
        inner.put(key, value);
        if (value != null) filing.file(index, key, value);
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V old = inner.putIfAbsent(key, value);
        if (old == null && value != null) filing.file(index, key, value);
        return old;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(kv -> put(kv.key, kv.value));
    }

    @Override
    public V delete(String key) {
        return inner.delete(key);
    }

    @Override
    public V get(String key) {
        return inner.get(key);
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        return inner.all();
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        return inner.reverseAll();
    }

    @Override
    public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, V> prefixScan(
            P prefix, PS prefixKeySerializer) {
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        inner.init(context, root);
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }
}
