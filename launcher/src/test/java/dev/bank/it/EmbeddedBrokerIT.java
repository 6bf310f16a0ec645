package dev.bank.it;

import dev.bank.launcher.EmbeddedBroker;
import dev.bank.launcher.TopicCreator;
import dev.bank.schemas.TopicSpec;
import dev.bank.schemas.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedBrokerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final Topics topics = Topics.defaults();
    private final List<String> topicNames = topics.specs().stream().map(TopicSpec::name).toList();

    @Test
    void createsEveryTopicOnceWithItsPartitionsAndConfigs(@TempDir Path dataDir) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, 0)) {
            assertThat(broker.formattedStorage()).isTrue();
            assertThat(broker.logDir()).isEqualTo(dataDir.toAbsolutePath().normalize().resolve("kafka"));

            assertThat(TopicCreator.createAll(broker.bootstrapServers(), topics.specs(), TIMEOUT))
                    .containsExactlyElementsOf(topicNames);
            assertThat(TopicCreator.createAll(broker.bootstrapServers(), topics.specs(), TIMEOUT))
                    .as("second run creates nothing").isEmpty();

            try (Admin admin = KafkaClients.admin(broker.bootstrapServers())) {
                Map<String, TopicDescription> described =
                        admin.describeTopics(topicNames).allTopicNames().get(30, TimeUnit.SECONDS);
                Map<String, Integer> partitions = topics.specs().stream()
                        .collect(java.util.stream.Collectors.toMap(TopicSpec::name, TopicSpec::partitions));
                assertThat(described.values()).allSatisfy(d ->
                        assertThat(d.partitions()).as(d.name()).hasSize(partitions.get(d.name())));
                assertThat(partitions.get(topics.commands())).isEqualTo(Topics.DEFAULT_PARTITIONS);
                assertThat(config(admin, topics.fxRates(), "cleanup.policy")).as("a pair's newest rate is kept")
                        .isEqualTo("compact");
                ConfigResource ledger = new ConfigResource(ConfigResource.Type.TOPIC, topics.ledger());
                String retention = admin.describeConfigs(List.of(ledger)).all().get(30, TimeUnit.SECONDS)
                        .get(ledger).get("retention.ms").value();
                assertThat(retention).isEqualTo("-1");
                assertThat(config(admin, topics.commands(), "message.timestamp.type"))
                        .as("commands are stamped by the broker").isEqualTo("LogAppendTime");
            }
        }
    }

    @Test
    void givesATopicThatExistedBeforeTheConfigsItsSpecNames(@TempDir Path dataDir) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, 0);
             Admin admin = KafkaClients.admin(broker.bootstrapServers())) {
            // Given a commands topic made by an earlier version, stamped by its producers
            KafkaClients.createTopic(broker.bootstrapServers(), topics.commands(), Topics.DEFAULT_PARTITIONS, (short) 1);
            assertThat(config(admin, topics.commands(), "message.timestamp.type")).isEqualTo("CreateTime");
            // When the topics are created
            assertThat(TopicCreator.createAll(broker.bootstrapServers(), topics.specs(), TIMEOUT))
                    .doesNotContain(topics.commands());
            // Then it is kept, and now stamped by the broker (once the change reached the broker's metadata)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(config(admin, topics.commands(), "message.timestamp.type")).isEqualTo("LogAppendTime"));
        }
    }

    private static String config(Admin admin, String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get(name).value();
    }

    @Test
    void committedRecordAndTopicsSurviveARestartOnTheSameDataDir(@TempDir Path dataDir) throws Exception {
        String clusterId;
        int brokerPort;
        int controllerPort;
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, 0)) {
            clusterId = broker.clusterId();
            brokerPort = broker.brokerPort();
            controllerPort = broker.controllerPort();
            TopicCreator.createAll(broker.bootstrapServers(), topics.specs(), TIMEOUT);

            KafkaClients.sendInTransaction(broker.bootstrapServers(), topics.commands(), "acc-1", "aborted", false);
            KafkaClients.sendInTransaction(broker.bootstrapServers(), topics.commands(), "acc-1", "committed", true);

            assertThat(KafkaClients.readCommittedValues(broker.bootstrapServers(), topics.commands(), 1))
                    .containsExactly("committed");
        }

        try (EmbeddedBroker restarted = EmbeddedBroker.start(dataDir, brokerPort, controllerPort)) {
            assertThat(restarted.formattedStorage()).as("storage reused, not formatted again").isFalse();
            assertThat(restarted.clusterId()).isEqualTo(clusterId);
            try (Admin admin = KafkaClients.admin(restarted.bootstrapServers())) {
                Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(names).containsAll(topicNames);
            }
            assertThat(TopicCreator.createAll(restarted.bootstrapServers(), topics.specs(), TIMEOUT)).isEmpty();

            assertThat(KafkaClients.readCommittedValues(restarted.bootstrapServers(), topics.commands(), 1))
                    .containsExactly("committed");

            KafkaClients.sendInTransaction(restarted.bootstrapServers(), topics.commands(), "acc-1", "again", true);
            assertThat(KafkaClients.readCommittedValues(restarted.bootstrapServers(), topics.commands(), 2))
                    .containsExactly("committed", "again");
        }
    }

    @Test
    void refusesASecondBrokerOnTheSameDataDirWhileTheFirstRuns(@TempDir Path dataDir) throws Exception {
        try (EmbeddedBroker first = EmbeddedBroker.start(dataDir, 0, 0)) {
            assertThatThrownBy(() -> EmbeddedBroker.start(dataDir, 0, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already running");
            try (Admin admin = KafkaClients.admin(first.bootstrapServers())) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                        .as("the first broker is undisturbed").hasSize(1);
            }
        }
        try (EmbeddedBroker again = EmbeddedBroker.start(dataDir, 0, 0)) {
            assertThat(again.formattedStorage()).as("the lock is released on close").isFalse();
        }
    }
}
