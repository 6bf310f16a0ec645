package dev.bank.processor.topology;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Builds the dead letter of a record, always small enough to be written. A dead letter that cannot be produced
 * would abort the task's transaction; the record would be read again and fail again, and the partition (with every
 * account on it) would stall for good. So a record is copied whole (key, value and headers, for an operator to fix
 * and replay) only while the copy stays well under the producer's request limit; a larger one is dead-lettered as a
 * reference: where it sits (source topic, partition and offset, from which the original can still be read), its
 * sizes, and a bounded prefix of its key and value.
 */
final class DeadLetters {
    /** Larger records (key + value + headers) are dead-lettered as a reference; the producer's limit is 1 MiB. */
    static final int MAX_COPY_BYTES = 512 * 1024;
    /** How much of a too-large record's value a reference keeps. */
    static final int PREFIX_BYTES = 1024;
    /** How much of a key a reference keeps, and the longest key a log line or an outcome shows. */
    static final int MAX_KEY_CHARS = 256;
    /** The longest detail written to a dead letter's header. */
    static final int MAX_DETAIL_CHARS = 1000;

    private DeadLetters() {}

    static Record<String, byte[]> letter(Record<String, byte[]> record, Optional<RecordMetadata> source,
                                         DeadLetter reason, String detail) {
        byte[] value = record.value();
        int valueBytes = value == null ? 0 : value.length;
        int keyBytes = record.key() == null ? 0 : utf8Length(record.key());
        int headerBytes = 0;
        for (Header h : record.headers()) {
            headerBytes += utf8Length(h.key()) + (h.value() == null ? 0 : h.value().length);
        }
        boolean copy = (long) valueBytes + keyBytes + headerBytes <= MAX_COPY_BYTES;
        RecordHeaders headers = copy ? new RecordHeaders(record.headers().toArray()) : new RecordHeaders();
        headers.add(DeadLetter.REASON_HEADER, bytes(reason.name()));
        headers.add(DeadLetter.DETAIL_HEADER, bytes(bounded(detail, MAX_DETAIL_CHARS)));
        source.ifPresent(m -> {
            headers.add(DeadLetter.SOURCE_TOPIC_HEADER, bytes(m.topic()));
            headers.add(DeadLetter.SOURCE_PARTITION_HEADER, bytes(String.valueOf(m.partition())));
            headers.add(DeadLetter.SOURCE_OFFSET_HEADER, bytes(String.valueOf(m.offset())));
        });
        if (copy) return new Record<>(record.key(), value, record.timestamp(), headers);
        headers.add(DeadLetter.TRUNCATED_HEADER, bytes("true"));
        headers.add(DeadLetter.ORIGINAL_VALUE_BYTES_HEADER, bytes(String.valueOf(valueBytes)));
        headers.add(DeadLetter.ORIGINAL_KEY_BYTES_HEADER, bytes(String.valueOf(keyBytes)));
        headers.add(DeadLetter.ORIGINAL_HEADER_BYTES_HEADER, bytes(String.valueOf(headerBytes)));
        byte[] prefix = value == null ? null : Arrays.copyOf(value, Math.min(valueBytes, PREFIX_BYTES));
        return new Record<>(bounded(record.key(), MAX_KEY_CHARS), prefix, record.timestamp(), headers);
    }

    /** At most {@code max} characters of a text that may come from outside, marked when cut. */
    static String bounded(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "…(" + text.length() + " chars)";
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
