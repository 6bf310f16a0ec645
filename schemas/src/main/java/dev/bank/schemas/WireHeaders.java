package dev.bank.schemas;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * Kafka record headers that are part of the wire contract.
 *
 * <p>{@link #REQUEST_ID}: the gateway stamps every command it publishes with a fresh id of the HTTP request that
 * sent it, and the processor copies that header onto the command's outcome (and onto a transfer's legs, so the
 * transfer's final outcome carries it too). The gateway hands each outcome to the one request whose id it carries.
 * Matching by (accountId, transactionId) instead would cross answers between concurrent requests under one
 * transactionId (an identical retry and a conflicting one in flight at once). Upstream producers need not set it;
 * the outcome of a command without it carries none.
 *
 * <p>{@link #REPLY_PARTITION}: beside the request id, the gateway stamps the partition of the replies topic it reads
 * (a decimal number). The processor writes the outcome of such a command to that partition of the replies topic too,
 * in the same transaction as on the results topic, and carries the header through a transfer's legs as it does the
 * request id. A header that is not exactly one decimal number below the replies topic's partition count is ignored:
 * the outcome is still on the results topic, only not replied.
 */
public final class WireHeaders {
    public static final String REQUEST_ID = "bank.request.id";
    /** Longer request ids are not copied: a header of a hostile record must not grow the records it causes. */
    public static final int MAX_REQUEST_ID_BYTES = 128;

    public static final String REPLY_PARTITION = "bank.reply.partition";
    /** Ten digits hold any partition count Kafka allows; a longer value is not read at all. */
    public static final int MAX_REPLY_PARTITION_BYTES = 10;

    private WireHeaders() {}

    /** Why a reply-partition header was not followed (a metric's tag: a closed set). */
    public enum ReplyRefusal { REPEATED, MALFORMED, OUT_OF_RANGE }

    /**
     * Where a record asks its outcome to be replied: {@link #partition} when it names a valid one; none when it has no
     * header; or refused, with why ({@link #refusal} and a {@link #detail} that never repeats the hostile bytes).
     */
    public record ReplyTo(int partition, ReplyRefusal refusal, String detail) {
        public static final ReplyTo NONE = new ReplyTo(-1, null, null);

        public boolean valid() {
            return partition >= 0;
        }

        static ReplyTo refused(ReplyRefusal why, String detail) {
            return new ReplyTo(-1, why, detail);
        }
    }

    /** The reply-partition header's value for {@code partition}. */
    public static byte[] replyPartition(int partition) {
        return Integer.toString(partition).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Where the record's outcome is to be replied, on a replies topic of {@code partitions} partitions: exactly one
     * {@link #REPLY_PARTITION} header of at most {@link #MAX_REPLY_PARTITION_BYTES} ASCII digits, below
     * {@code partitions}. Anything else (repeated, empty, signed, not a number, too long, too high) is refused, so
     * that a command written by hand can never make the processor write to a partition that does not exist.
     */
    public static ReplyTo replyTo(Headers headers, int partitions) {
        Header found = null;
        for (Header header : headers.headers(REPLY_PARTITION)) {
            if (found != null) return ReplyTo.refused(ReplyRefusal.REPEATED, "the header is repeated");
            found = header;
        }
        if (found == null) return ReplyTo.NONE;
        byte[] value = found.value();
        if (value == null || value.length == 0 || value.length > MAX_REPLY_PARTITION_BYTES) {
            return ReplyTo.refused(ReplyRefusal.MALFORMED, "the header has " + (value == null ? 0 : value.length)
                    + " bytes, not 1 to " + MAX_REPLY_PARTITION_BYTES + " digits");
        }
        long partition = 0;
        for (byte b : value) {
            if (b < '0' || b > '9') {
                return ReplyTo.refused(ReplyRefusal.MALFORMED, "the header is not a decimal number");
            }
            partition = partition * 10 + (b - '0');
        }
        if (partition >= partitions) {
            return ReplyTo.refused(ReplyRefusal.OUT_OF_RANGE, "partition " + partition + " is not below the "
                    + partitions + " partitions of the replies topic");
        }
        return new ReplyTo((int) partition, null, null);
    }

    /** The request id a record carries, or null when it has none (or one too long to be ours). */
    public static String requestId(Headers headers) {
        Header header = headers.lastHeader(REQUEST_ID);
        if (header == null || header.value() == null || header.value().length > MAX_REQUEST_ID_BYTES) return null;
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
