package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.processor.fraud.FraudRulesEngine;
import dev.bank.processor.store.StoreSerdes;
import dev.bank.schemas.Account;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Topics;
import dev.bank.schemas.Transfer;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.time.Duration;

/**
 * The processor's topology. Three sources, all keyed by accountId and co-partitioned: commands; the processor's
 * internal commands (commands rerouted from a partition their key does not hash to, see {@link CommandProcessor},
 * and its own interest ticks, see {@link InterestTicks}); and the legs of transfers. Their
 * processors share one task's stores, so a command and a leg for the same account are applied by the same task in
 * log order. Records are read as raw bytes so nothing unparseable can kill a stream thread.
 * Everything one record does (store writes, outcome, ledger entry, transfer leg, dead letter) commits in one
 * Kafka transaction under exactly_once_v2. Store values are Avro
 * ({@link StoreSerdes}, schemas in {@code schemas/src/main/resources/avro/}); the topics carry JSON.
 *
 * <p>Store and node names are constants because they name changelog topics and consumer state: renaming one
 * orphans the data of every running deployment. {@code BankTopologyTest} pins them.
 */
public final class BankTopology {
    public static final String SOURCE = "commands-source";
    public static final String LEGS_SOURCE = "transfer-legs-source";
    /** The processor's internal commands ({@link Topics#rerouted()}): rerouted commands and interest ticks. */
    public static final String REROUTED_SOURCE = "rerouted-commands-source";
    public static final String REROUTE_SINK = "reroute-sink";
    public static final String PROCESSOR = "command-processor";
    public static final String LEG_PROCESSOR = "transfer-leg-processor";
    public static final String RESULTS_SINK = "results-sink";
    public static final String LEDGER_SINK = "ledger-sink";
    public static final String TRANSFER_LEGS_SINK = "transfer-legs-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String HOLDS_SINK = "holds-sink";
    public static final String FRAUD_ALERTS_SINK = "fraud-alerts-sink";
    public static final String ACCOUNT_EVENTS_SINK = "account-events-sink";
    /** Outcomes to the partition of the replies topic their command named ({@link Replies}). */
    public static final String REPLIES_SINK = "replies-sink";
    /**
     * Interest and hold-expiry ticks to the task's own partition of the processor's internal topic
     * ({@link InterestTicks}, {@link HoldExpiry}), never the public commands topic, where anyone who may send commands
     * could forge one.
     */
    public static final String TICK_SINK = "tick-sink";
    /** accountId → {@link Account}. */
    public static final String ACCOUNTS_STORE = "accounts";
    /** accountId + NUL + transactionId → {@link ProcessedCommand}. */
    public static final String PROCESSED_STORE = "processed-commands";
    /** accountId + NUL + transferId → {@link Transfer} as that account sees it. */
    public static final String TRANSFERS_STORE = "transfers";
    /**
     * accountId + NUL + 19-digit sequence → {@link dev.bank.schemas.HistoryEntry}: the task's own postings, for
     * transaction history, statements and end-of-day balances ({@link History}).
     */
    public static final String HISTORY_STORE = "history";
    /** accountId + NUL + holdId → {@link dev.bank.schemas.Hold}: every hold, active or ended. */
    public static final String HOLDS_STORE = "holds";
    /** The index of active holds that expire, by account and by time ({@link HoldExpiry}). */
    public static final String HOLD_EXPIRIES_STORE = "hold-expiries";
    /** accountId → {@link dev.bank.processor.fraud.FraudProfile}: what the fraud rules know of the account. */
    public static final String FRAUD_PROFILES_STORE = "fraud-profiles";
    /** accountId + NUL + transactionId → {@link dev.bank.schemas.FraudReview}: payments held for review. */
    public static final String FRAUD_REVIEWS_STORE = "fraud-reviews";
    /**
     * accountId + NUL + 19-digit event sequence → {@link dev.bank.schemas.AccountEvent}: each account's most recent
     * events, from which a live stream resumes ({@link AccountEvents}).
     */
    public static final String ACCOUNT_EVENTS_STORE = "account-events";
    /**
     * kind + big-endian time + store key → nothing: what housekeeping deletes, by time, and its walks' state
     * ({@link TimeIndex}, {@link Housekeeping}).
     */
    public static final String HOUSEKEEPING_STORE = "housekeeping-index";

    private BankTopology() {}

    /** The topology for a configuration; the meters receive what it counts ({@link TopologyMetrics}). */
    public static Topology build(ProcessorConfig config, MeterRegistry meters) {
        return build(config, meters, new RecordFailures());
    }

    /** @param failures what this instance remembers of records whose processing failed (survives thread replacement) */
    public static Topology build(ProcessorConfig config, MeterRegistry meters, RecordFailures failures) {
        return build(config, meters, failures, config.topics().transferLegs());
    }

    /**
     * The same topology, with the transfer-legs sink writing to {@code legsSinkTopic}: tests that deliver legs
     * by hand (to hold a transfer in flight) point it away from the legs source.
     */
    static Topology build(ProcessorConfig config, MeterRegistry meters, String legsSinkTopic) {
        return build(config, meters, new RecordFailures(), legsSinkTopic);
    }

    private static Topology build(ProcessorConfig config, MeterRegistry meters, RecordFailures failures,
                                  String legsSinkTopic) {
        Topics topics = config.topics();
        AccountLogic logic = new AccountLogic(config.maxAmount(), new InterestLogic(config.interest()));
        FraudRulesEngine fraud = new FraudRulesEngine(config.fraud());
        TopologyMetrics metrics = new TopologyMetrics(meters);
        Duration retention = config.idempotencyRetention();
        int maxCommandBytes = config.maxCommandBytes();
        String[] processors = {PROCESSOR, LEG_PROCESSOR};
        TimeIndex.Marks marks = new TimeIndex.Marks();
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.commands());
        topology.addSource(LEGS_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.transferLegs());
        topology.addSource(REROUTED_SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.rerouted());
        // each processor behind a FailureGuard: a record that keeps failing is set aside, not retried for ever
        topology.addProcessor(PROCESSOR, () -> new FailureGuard(failures, metrics,
                new CommandProcessor(logic, fraud, metrics, topics, retention, maxCommandBytes,
                        config.housekeeping(), marks)), SOURCE, REROUTED_SOURCE);
        topology.addProcessor(LEG_PROCESSOR, () -> new FailureGuard(failures, metrics,
                new LegProcessor(logic, fraud, metrics, topics, marks)), LEGS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCOUNTS_STORE),
                Serdes.String(), StoreSerdes.accounts()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROCESSED_STORE),
                Serdes.String(), StoreSerdes.processedCommands()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TRANSFERS_STORE),
                Serdes.String(), StoreSerdes.transfers()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HISTORY_STORE),
                Serdes.String(), StoreSerdes.history()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOLDS_STORE),
                Serdes.String(), StoreSerdes.holds()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FRAUD_PROFILES_STORE),
                Serdes.String(), StoreSerdes.fraudProfiles()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FRAUD_REVIEWS_STORE),
                Serdes.String(), StoreSerdes.fraudReviews()), processors);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCOUNT_EVENTS_STORE),
                Serdes.String(), StoreSerdes.accountEvents()), processors);
        // an index of keys only (the value is the holdId), no money state: plain strings
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOLD_EXPIRIES_STORE),
                Serdes.String(), Serdes.String()), processors);
        // an index of keys only, filed by time: big-endian bytes, so the store's byte order is time order
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HOUSEKEEPING_STORE),
                Serdes.Bytes(), Serdes.ByteArray()), processors);
        // the processors write each value with its topic's serde (Topics.*Topic()) and hand the sinks bytes
        topology.addSink(RESULTS_SINK, topics.resultsTopic().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(LEDGER_SINK, topics.ledgerTopic().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(TRANSFER_LEGS_SINK, legsSinkTopic, Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(HOLDS_SINK, topics.holdsTopic().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(FRAUD_ALERTS_SINK, topics.fraudAlertsTopic().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(ACCOUNT_EVENTS_SINK, topics.accountEventsTopic().name(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), processors);
        topology.addSink(REPLIES_SINK, topics.replies(), Replies.keySerializer(), Serdes.ByteArray().serializer(),
                Replies.partitioner(), processors);
        // the default partitioner: murmur2 of the key, as the check that sent the record here computes it
        topology.addSink(REROUTE_SINK, topics.rerouted(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        topology.addSink(TICK_SINK, topics.rerouted(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), InterestTicks.partitioner(), PROCESSOR);
        return topology;
    }

    /**
     * The key of per-account entries (processed transactionIds, transfers): one namespace per account, so ids
     * need only be unique per account. NUL cannot occur in ids, so two pairs never share a key.
     */
    public static String accountScopedKey(String accountId, String id) {
        return accountId + '\u0000' + id;
    }
}
