package dev.bank.processor.store;

import dev.bank.schemas.JsonSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.function.BiConsumer;
import java.util.function.BiFunction;

/**
 * The serde of one state store's values: a versioned binary format for what it writes, and the JSON it wrote
 * before, still read, so the stores and changelog topics of an existing deployment keep working after an upgrade
 * (each value is rewritten in binary the next time it is put).
 *
 * <p>The first byte says which: {@link #BINARY_V2} or {@link #BINARY_V1} (never the first byte of JSON) or {@code '{'} (the
 * {@link JsonSerde} of earlier versions). A change to a record's stored fields gets a new format byte, and the
 * reader of the old one stays. Null stays null (tombstones). Failures are {@link SerializationException}s naming
 * the type. Stateless and thread-safe: one instance serves every stream thread.
 *
 * <p>Versions before this format read only JSON, so they cannot take over a partition whose values were rewritten
 * (a rollback, or a rebalance onto a not yet upgraded instance). For a rolling upgrade, first run every instance
 * with {@link Format#JSON} writes ({@code BANK_STORE_FORMAT=json}), then switch to binary.
 */
public final class StoreSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
    /** Format byte of the first binary layout, still read. */
    public static final int BINARY_V1 = 0x01;
    /** Format byte of the binary layout written by {@link StoreSerdes}: V1 plus the components of ownership. */
    public static final int BINARY_V2 = 0x02;
    private static final int LEGACY_JSON = '{';
    private static final int INITIAL_CAPACITY = 128;

    /** What {@link #serialize} writes; both are always read. */
    public enum Format {
        BINARY, JSON;

        public static Format fromEnv(String value) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(value.trim())) return f;
            }
            throw new IllegalArgumentException("BANK_STORE_FORMAT must be binary or json, was '" + value + "'");
        }
    }

    private final Class<T> type;
    private final BiConsumer<BinaryWriter, T> writer;
    /** Reads a value's components in the layout of a format version (1 or 2). */
    private final BiFunction<BinaryReader, Integer, T> reader;
    private final JsonSerde<T> legacy;
    private final Format writes;

    /** A serde whose writer and reader lay out a value's components after the format byte. */
    StoreSerde(Class<T> type, BiConsumer<BinaryWriter, T> writer, BiFunction<BinaryReader, Integer, T> reader) {
        this(type, writer, reader, JsonSerde.of(type), Format.BINARY);
    }

    private StoreSerde(Class<T> type, BiConsumer<BinaryWriter, T> writer, BiFunction<BinaryReader, Integer, T> reader,
                       JsonSerde<T> legacy, Format writes) {
        this.type = type;
        this.writer = writer;
        this.reader = reader;
        this.legacy = legacy;
        this.writes = writes;
    }

    /** The same serde, writing {@code format}. */
    public StoreSerde<T> writing(Format format) {
        return format == writes ? this : new StoreSerde<>(type, writer, reader, legacy, format);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) return null;
        if (writes == Format.JSON) return legacy.serialize(topic, data);
        BinaryWriter out = new BinaryWriter(INITIAL_CAPACITY);
        out.writeByte(BINARY_V2);
        writer.accept(out, data);
        return out.toByteArray();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) return null;
        if (data.length == 0) throw new SerializationException("empty stored " + type.getSimpleName() + " value");
        int format = data[0] & 0xFF;
        if (format == BINARY_V1 || format == BINARY_V2) {
            try {
                BinaryReader in = new BinaryReader(data, 1);
                T value = reader.apply(in, format);
                in.expectEnd();
                return value;
            } catch (SerializationException e) {
                throw new SerializationException("corrupt stored " + type.getSimpleName() + " value: "
                        + e.getMessage(), e);
            }
        }
        if (format == LEGACY_JSON) return legacy.deserialize(topic, data);
        throw new SerializationException("unknown format byte 0x" + Integer.toHexString(format) + " of a stored "
                + type.getSimpleName() + " value (this version reads 0x0" + BINARY_V1 + ", 0x0" + BINARY_V2
                + " and legacy JSON): was it written by a newer version?");
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // configured by its constructor
    }

    @Override
    public void close() {
        // stateless: nothing to release
    }
}
