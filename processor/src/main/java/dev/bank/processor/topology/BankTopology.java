package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.JsonSerde;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The processor's topology: commands in (keyed by accountId, read as raw bytes so that nothing unparseable can
 * kill a stream thread), one {@link CommandProcessor} per partition holding the accounts and processed-ids
 * stores, and three sinks. Everything one command does (store writes, outcome, ledger entry, dead letter)
 * commits in one Kafka transaction under exactly_once_v2.
 *
 * <p>Store and node names are constants because they name changelog topics and consumer state: renaming one
 * orphans the data of every running deployment. {@code BankTopologyTest} pins them.
 */
public final class BankTopology {
    public static final String SOURCE = "commands-source";
    public static final String PROCESSOR = "command-processor";
    public static final String RESULTS_SINK = "results-sink";
    public static final String LEDGER_SINK = "ledger-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    /** accountId → {@link Account}. */
    public static final String ACCOUNTS_STORE = "accounts";
    /** accountId + NUL + transactionId → {@link ProcessedCommand}. */
    public static final String PROCESSED_STORE = "processed-commands";

    private BankTopology() {}

    /** @param retention how long a processed transactionId is remembered; older ones are purged */
    public static Topology build(Topics topics, BigDecimal maxAmount, Duration retention) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
                topics.commands());
        topology.addProcessor(PROCESSOR,
                () -> new CommandProcessor(new AccountLogic(maxAmount), retention), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ACCOUNTS_STORE),
                Serdes.String(), JsonSerde.of(Account.class)), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PROCESSED_STORE),
                Serdes.String(), JsonSerde.of(ProcessedCommand.class)), PROCESSOR);
        topology.addSink(RESULTS_SINK, topics.results(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        topology.addSink(LEDGER_SINK, topics.ledger(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter(), Serdes.String().serializer(),
                Serdes.ByteArray().serializer(), PROCESSOR);
        return topology;
    }

    /** The processed-ids store key: one namespace per account, so ids need only be unique per account. */
    public static String processedKey(String accountId, String transactionId) {
        return accountId + '\u0000' + transactionId;
    }
}
