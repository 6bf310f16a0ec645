package dev.bank.processor.store;

import org.apache.kafka.common.errors.SerializationException;

import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link BinaryWriter} wrote. Every read is bounds-checked, so truncated or corrupt bytes surface as a
 * {@link SerializationException} naming the problem, never as an index error or a silently wrong value.
 */
final class BinaryReader {
    private final byte[] buf;
    private int pos;

    BinaryReader(byte[] buf, int pos) {
        this.buf = buf;
        this.pos = pos;
    }

    int readByte() {
        if (pos >= buf.length) throw corrupt("truncated");
        return buf[pos++] & 0xFF;
    }

    boolean readBoolean() {
        int b = readByte();
        if (b > 1) throw corrupt("boolean byte " + b);
        return b == 1;
    }

    long readLong() {
        long raw = readUnsigned();
        return (raw >>> 1) ^ -(raw & 1);
    }

    Long readNullableLong() {
        return readBoolean() ? readLong() : null;
    }

    String readString() {
        long lengthPlusOne = readUnsigned();
        if (lengthPlusOne == 0) return null;
        long length = lengthPlusOne - 1;
        if (length > buf.length - pos) throw corrupt("string of " + length + " bytes with " + (buf.length - pos) + " left");
        String s = new String(buf, pos, (int) length, StandardCharsets.UTF_8);
        pos += (int) length;
        return s;
    }

    /** Fails unless every byte was read: a value that decodes with bytes left over was not written by this format. */
    void expectEnd() {
        if (pos != buf.length) throw corrupt((buf.length - pos) + " trailing bytes");
    }

    SerializationException corrupt(String what) {
        return new SerializationException(what + " at byte " + pos + " of " + buf.length);
    }

    private long readUnsigned() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw corrupt("varint longer than 10 bytes");
    }
}
