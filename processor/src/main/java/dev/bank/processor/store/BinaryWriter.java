package dev.bank.processor.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The primitives of the store format, written into a growable array: zig-zag varints for every integer (small and
 * negative values stay short; an epoch-millis timestamp takes 6 bytes), and strings as varint(UTF-8 length + 1)
 * then the bytes, where 0 stands for null. One instance per value written; not thread-safe.
 */
final class BinaryWriter {
    private byte[] buf;
    private int pos;

    BinaryWriter(int initialCapacity) {
        buf = new byte[initialCapacity];
    }

    void writeByte(int b) {
        ensure(1);
        buf[pos++] = (byte) b;
    }

    void writeBoolean(boolean b) {
        writeByte(b ? 1 : 0);
    }

    /** Zig-zag then LEB128, as protobuf's sint64: at most 10 bytes. */
    void writeLong(long v) {
        writeUnsigned((v << 1) ^ (v >> 63));
    }

    /** A presence byte (0 null, 1 present) then the value. */
    void writeNullableLong(Long v) {
        if (v == null) {
            writeByte(0);
        } else {
            writeByte(1);
            writeLong(v);
        }
    }

    void writeString(String s) {
        if (s == null) {
            writeUnsigned(0);
            return;
        }
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) < 0x80) i++;
        if (i == n) {
            // all ASCII (ids, currencies, decimal strings): one byte per char, without an intermediate array
            writeUnsigned(n + 1L);
            ensure(n);
            for (int j = 0; j < n; j++) buf[pos++] = (byte) s.charAt(j);
        } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            writeUnsigned(utf8.length + 1L);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, pos, utf8.length);
            pos += utf8.length;
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void writeUnsigned(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    private void ensure(int more) {
        if (pos + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
}
