package dev.bank.processor.store;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.Encoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.ByteBufferOutputStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The serde of one state store's values: Avro's single-object encoding (the marker {@code C3 01}, the writer
 * schema's 64-bit Rabin fingerprint of its parsing canonical form, little-endian, then the Avro binary body),
 * written with the schema {@link StoreSchemas#written} names and read from any released one, which Avro resolves to
 * the newest. So the stores and changelog topics written by an older version stay readable after an upgrade, each
 * value rewritten the next time it is put.
 *
 * <p>It frames the body itself instead of using Avro's {@code BinaryMessageEncoder}/{@code BinaryMessageDecoder},
 * which read and write it through an unbuffered stream codec, a byte at a time through synchronized streams; the
 * bytes are the same (StoreSerdesTest reads ours with Avro's decoder and Avro's with ours), and the body is read by
 * Avro's decoder straight from the array (docs/performance.md has the measurement).
 *
 * <p>Null stays null (tombstones). Failures are {@link SerializationException}s naming the type: bytes of an
 * unknown schema (written by a newer version), damaged bytes or no Avro at all fail loudly, never read as something
 * else. Thread-safe (Avro's datum readers and writers are; the codecs are per thread): one instance serves every
 * stream thread.
 */
public final class StoreSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = 0x01;
    private static final int HEADER_BYTES = 10;
    private static final int INITIAL_CAPACITY = 256;

    /** Writes a value's fields, in the written schema's order, onto Avro's encoder. */
    @FunctionalInterface
    interface Writer<T> {
        void write(Encoder out, T value) throws IOException;
    }

    private final String typeName;
    private final Writer<T> toAvro;
    private final Function<GenericRecord, T> fromAvro;
    private final byte[] header;
    /** One reader per released schema of the type, resolving it to the newest; found by fingerprint. */
    private final long[] fingerprints;
    private final List<GenericDatumReader<GenericRecord>> readers;

    /**
     * @param name     the stored type's name in {@link StoreSchemas}
     * @param toAvro   writes the value as {@code StoreSchemas.written(name)} lays it out
     * @param fromAvro the value of such a record, as the newest schema reads it (strings as {@link String})
     */
    StoreSerde(String name, Writer<T> toAvro, Function<GenericRecord, T> fromAvro) {
        this.typeName = name;
        this.toAvro = toAvro;
        this.fromAvro = fromAvro;
        Schema written = StoreSchemas.written(name);
        this.header = header(SchemaNormalization.parsingFingerprint64(written));
        Schema latest = StoreSchemas.latest(name);
        List<Schema> released = StoreSchemas.released(name);
        this.fingerprints = released.stream().mapToLong(SchemaNormalization::parsingFingerprint64).toArray();
        this.readers = released.stream()
                .map(writerSchema -> new GenericDatumReader<GenericRecord>(writerSchema, latest, GenericData.get()))
                .toList();
    }

    private static byte[] header(long fingerprint) {
        byte[] h = new byte[HEADER_BYTES];
        h[0] = MARKER_0;
        h[1] = MARKER_1;
        for (int i = 0; i < 8; i++) h[2 + i] = (byte) (fingerprint >>> (8 * i));
        return h;
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) return null;
        try {
            ByteBufferOutputStream out = new ByteBufferOutputStream(INITIAL_CAPACITY);
            out.write(header);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            toAvro.write(encoder, data);
            ByteBuffer written = out.buffer();
            return Arrays.copyOf(written.array(), written.position());
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot store a " + typeName + ": " + e, e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) return null;
        try {
            GenericDatumReader<GenericRecord> reader = readerOf(data);
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, HEADER_BYTES, data.length - HEADER_BYTES,
                    null);
            GenericRecord record = reader.read(null, decoder);
            if (!decoder.isEnd()) throw new IOException("bytes left after the value");
            return fromAvro.apply(record);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("unreadable stored " + typeName + " value (" + data.length
                    + " bytes; this version reads the schemas of " + StoreSchemas.VERSIONS + "): " + e, e);
        }
    }

    /** The reader of the schema the value names. */
    private GenericDatumReader<GenericRecord> readerOf(byte[] data) throws IOException {
        if (data.length < HEADER_BYTES || data[0] != MARKER_0 || data[1] != MARKER_1) {
            throw new IOException("not Avro's single-object encoding");
        }
        long fingerprint = 0;
        for (int i = 7; i >= 0; i--) fingerprint = (fingerprint << 8) | (data[2 + i] & 0xFF);
        for (int i = 0; i < fingerprints.length; i++) {
            if (fingerprints[i] == fingerprint) return readers.get(i);
        }
        throw new IOException("written with a schema this version does not know (fingerprint "
                + Long.toHexString(fingerprint) + "): was it written by a newer version?");
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
