package dev.bank.processor.topology;

import java.util.Map;

/** What the TopologyTestDriver tests share. */
final class TopologyTests {
    /**
     * The driver gives every topic one partition, so the processor must compute each key's partition out of one;
     * with the default six, most keys would look misplaced and be rerouted.
     */
    static final Map<String, String> ONE_PARTITION = Map.of("BANK_TOPIC_PARTITIONS", "1");

    private TopologyTests() {}
}
