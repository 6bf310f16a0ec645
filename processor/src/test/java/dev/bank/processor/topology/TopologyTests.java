package dev.bank.processor.topology;

import dev.bank.schemas.Command;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Topics;
import dev.bank.schemas.TransferLeg;

import java.util.Map;

/** What the TopologyTestDriver tests share. */
final class TopologyTests {
    /** The topics the tests read and write, with their serdes (as {@link Topics} defines them). */
    static final Topic<Command> COMMANDS = Topics.defaults().commandsTopic();
    static final Topic<Outcome> OUTCOMES = Topics.defaults().resultsTopic();
    static final Topic<LedgerEntry> LEDGER = Topics.defaults().ledgerTopic();
    static final Topic<TransferLeg> LEGS = Topics.defaults().transferLegsTopic();

    /**
     * The driver gives every topic one partition, so the processor must compute each key's partition out of one;
     * with the default six, most keys would look misplaced and be rerouted.
     */
    static final Map<String, String> ONE_PARTITION = Map.of("BANK_TOPIC_PARTITIONS", "1");

    private TopologyTests() {}

    /** What a record weighs as a producer counts it, roughly: key and value bytes, header names and values. */
    static long size(String key, byte[] value, org.apache.kafka.common.header.Headers headers) {
        long n = (key == null ? 0 : key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                + (value == null ? 0 : value.length);
        for (var h : headers) n += h.key().length() + (h.value() == null ? 0 : h.value().length);
        return n;
    }
}
