package dev.bank.processor.topology;

/**
 * Why a record went to the dead-letter topic. The reason travels in the {@link #REASON_HEADER} header next to
 * the original key and bytes, so an operator can fix and replay it.
 */
public enum DeadLetter {
    /** The value is not JSON, or not a command (unknown type, wrong field types). */
    UNPARSEABLE,
    /** The command is JSON but breaks {@code command.schema.json}; the detail lists the violations. */
    SCHEMA_VIOLATION,
    /** The record is larger than the configured maximum command size. */
    TOO_LARGE,
    /** A command or leg without the fields needed to route and answer it (type, transactionId, accountId). */
    INVALID_COMMAND,
    /** The record key is not the command's accountId, so it may sit on the wrong partition. */
    KEY_MISMATCH,
    /** A transfer leg answering a transfer its account never sent. */
    UNKNOWN_TRANSFER,
    /**
     * A record on a partition its key does not hash to that cannot be routed to the right one: a transfer leg (only
     * the processor writes legs), or a command already rerouted once (the partition counts disagree).
     */
    WRONG_PARTITION,
    /** Processing the record failed again and again (a bug); it was set aside so the partition moves on. */
    PROCESSING_FAILED;

    public static final String REASON_HEADER = "bank.dlq.reason";
    public static final String DETAIL_HEADER = "bank.dlq.detail";
    public static final String SOURCE_TOPIC_HEADER = "bank.dlq.source.topic";
    public static final String SOURCE_PARTITION_HEADER = "bank.dlq.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "bank.dlq.source.offset";
    /** Present ({@code true}) when the dead letter holds only a prefix of the record: it was too large to copy. */
    public static final String TRUNCATED_HEADER = "bank.dlq.truncated";
    /** The size in bytes of the original value, key and headers, on a truncated dead letter. */
    public static final String ORIGINAL_VALUE_BYTES_HEADER = "bank.dlq.original.value.bytes";
    public static final String ORIGINAL_KEY_BYTES_HEADER = "bank.dlq.original.key.bytes";
    public static final String ORIGINAL_HEADER_BYTES_HEADER = "bank.dlq.original.header.bytes";
}
