package dev.bank.processor.store;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.Function;

/**
 * The serde of one state store's values: Avro's single-object encoding (a two-byte marker, the writer schema's
 * 64-bit fingerprint, then the Avro binary body), written with the schema {@link StoreSchemas#written} names and
 * read from any released one, which Avro resolves to the newest. So the stores and changelog topics written by an
 * older version stay readable after an upgrade, each value rewritten the next time it is put.
 *
 * <p>Null stays null (tombstones). Failures are {@link SerializationException}s naming the type: bytes of an
 * unknown schema (written by a newer version) or no Avro at all fail loudly, never read as something else.
 * Stateless and thread-safe (Avro's encoder and decoder keep their buffers per thread): one instance serves every
 * stream thread.
 */
public final class StoreSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private static final int INITIAL_CAPACITY = 256;

    private final String typeName;
    private final Function<T, GenericRecord> toAvro;
    private final Function<GenericRecord, T> fromAvro;
    private final BinaryMessageEncoder<GenericRecord> encoder;
    private final BinaryMessageDecoder<GenericRecord> decoder;

    /**
     * @param name     the stored type's name in {@link StoreSchemas}
     * @param toAvro   the value as a record of {@code StoreSchemas.written(name)}
     * @param fromAvro the value of such a record, as the newest schema reads it (strings as {@link String})
     */
    StoreSerde(String name, Function<T, GenericRecord> toAvro, Function<GenericRecord, T> fromAvro) {
        this.typeName = name;
        this.toAvro = toAvro;
        this.fromAvro = fromAvro;
        Schema latest = StoreSchemas.latest(name);
        GenericData.setStringType(latest, GenericData.StringType.String);
        this.encoder = new BinaryMessageEncoder<>(GenericData.get(), StoreSchemas.written(name));
        this.decoder = new BinaryMessageDecoder<>(GenericData.get(), latest);
        StoreSchemas.released(name).forEach(decoder::addSchema);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) return null;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(INITIAL_CAPACITY);
            encoder.encode(toAvro.apply(data), out);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot store a " + typeName + ": " + e, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) return null;
        try {
            return fromAvro.apply(decoder.decode(data));
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("unreadable stored " + typeName + " value (" + data.length
                    + " bytes; this version reads the schemas of " + StoreSchemas.VERSIONS + "): " + e, e);
        }
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
