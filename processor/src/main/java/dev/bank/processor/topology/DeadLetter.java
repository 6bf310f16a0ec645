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
    UNKNOWN_TRANSFER;

    public static final String REASON_HEADER = "bank.dlq.reason";
    public static final String DETAIL_HEADER = "bank.dlq.detail";
    public static final String SOURCE_TOPIC_HEADER = "bank.dlq.source.topic";
    public static final String SOURCE_PARTITION_HEADER = "bank.dlq.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "bank.dlq.source.offset";
}
