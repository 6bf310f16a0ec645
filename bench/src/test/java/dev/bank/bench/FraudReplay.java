package dev.bank.bench;

import dev.bank.bench.FraudWorkload.Labelled;
import dev.bank.processor.config.FraudConfig;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.processor.topology.BankTopology;
import dev.bank.schemas.Command;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A labelled workload through the processor's whole topology under {@link TopologyTestDriver}, configured as production
 * is (one partition, as the driver has): each command at its own record time, in order. The wall clock never moves,
 * so no tick of the processor's own (interest, hold expiry) comes in: every decision follows from the records alone.
 */
final class FraudReplay {
    private static final Topics TOPICS = Topics.fromEnv(Map.of("BANK_TOPIC_PARTITIONS", "1"));

    /** What came out: the results and alerts topics as raw records, in order, and the decisions read from them. */
    record Run(List<TestRecord<String, byte[]>> results, List<TestRecord<String, byte[]>> alerts,
               Map<String, FraudScore.Observed> observed) {
    }

    private FraudReplay() {
    }

    static Run replay(FraudWorkload workload, FraudConfig fraud, Path stateDir) {
        ProcessorConfig config = ProcessorConfig.fromEnv(Map.of("BANK_TOPIC_PARTITIONS", "1")).withStateDir(stateDir)
                .withFraud(fraud);
        Instant first = Instant.ofEpochMilli(workload.commands().get(0).timestamp());
        try (TopologyTestDriver driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), first)) {
            TestInputTopic<String, byte[]> commands = driver.createInputTopic(TOPICS.commands(),
                    new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> results = driver.createOutputTopic(TOPICS.results(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<String, byte[]> alerts = driver.createOutputTopic(TOPICS.fraudAlerts(),
                    new StringDeserializer(), new ByteArrayDeserializer());
            for (Labelled l : workload.commands()) {
                Command c = l.command();
                commands.pipeInput(c.accountId(), TOPICS.commandsTopic().serialize(c), l.timestamp());
            }
            List<TestRecord<String, byte[]>> outcomeRecords = results.readRecordsToList();
            List<TestRecord<String, byte[]>> alertRecords = alerts.readRecordsToList();
            List<Outcome> outcomes = outcomeRecords.stream()
                    .map(r -> TOPICS.resultsTopic().valueSerde().deserialize(TOPICS.results(), r.value())).toList();
            List<FraudAlert> fraudAlerts = alertRecords.stream()
                    .map(r -> TOPICS.fraudAlertsTopic().valueSerde().deserialize(TOPICS.fraudAlerts(), r.value()))
                    .toList();
            return new Run(outcomeRecords, alertRecords, FraudScore.observe(outcomes, fraudAlerts));
        }
    }
}
