package dev.bank.launcher;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code bank broker} as one node of a cluster: its settings from the environment, and the broker config they make. */
class EmbeddedBrokerNodeTest {
    private static final String VOTERS = "1@10.0.0.11:9093,2@10.0.0.12:9093,3@10.0.0.13:9093";
    private static final String CLUSTER_ID = "K6PLHf0lS9i8sdrHraAKJQ";

    @Test
    void aSingleNodeByDefaultOnLoopbackWithReplicationOne() {
        LauncherConfig config = LauncherConfig.fromEnv(Map.of());
        assertThat(config.node()).isEqualTo(EmbeddedBroker.Node.SINGLE);
        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        Map<String, Object> p = EmbeddedBroker.brokerConfig(Path.of("/d"), 9092, 9093, config.node());
        assertThat(p).containsEntry("node.id", "1").containsEntry("controller.quorum.voters", "1@127.0.0.1:9093")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093")
                .containsEntry("offsets.topic.replication.factor", "1").containsEntry("min.insync.replicas", "1");
    }

    @Test
    void aNodeOfThreeBindsAndAdvertisesItsAddressAndReplicatesThreeTimesTwoInSync() {
        LauncherConfig config = LauncherConfig.fromEnv(Map.of("BANK_NODE_ID", "2", "BANK_BROKER_HOST", "10.0.0.12",
                "BANK_BROKER_BIND_HOST", "0.0.0.0", "BANK_CONTROLLER_QUORUM_VOTERS", VOTERS,
                "BANK_CLUSTER_ID", CLUSTER_ID));
        assertThat(config.node().clusterSize()).isEqualTo(3);
        assertThat(config.bootstrapServers()).as("its own broker by default").isEqualTo("10.0.0.12:9092");
        Map<String, Object> p = EmbeddedBroker.brokerConfig(Path.of("/d"), 9092, 9093, config.node());
        assertThat(p).containsEntry("node.id", "2").containsEntry("controller.quorum.voters", VOTERS)
                .containsEntry("listeners", "PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093")
                .containsEntry("advertised.listeners", "PLAINTEXT://10.0.0.12:9092")
                .containsEntry("offsets.topic.replication.factor", "3")
                .containsEntry("transaction.state.log.replication.factor", "3")
                .containsEntry("transaction.state.log.min.isr", "2").containsEntry("min.insync.replicas", "2");
    }

    @Test
    void refusesAClusterItCouldNotForm() {
        assertThatThrownBy(() -> LauncherConfig.fromEnv(Map.of("BANK_NODE_ID", "4",
                "BANK_CONTROLLER_QUORUM_VOTERS", VOTERS, "BANK_CLUSTER_ID", CLUSTER_ID)))
                .hasMessageContaining("BANK_NODE_ID 4 is not among the voters");
        assertThatThrownBy(() -> LauncherConfig.fromEnv(Map.of("BANK_NODE_ID", "1",
                "BANK_CONTROLLER_QUORUM_VOTERS", VOTERS)))
                .as("each node would format a cluster of its own").hasMessageContaining("needs BANK_CLUSTER_ID");
        assertThatThrownBy(() -> LauncherConfig.fromEnv(Map.of("BANK_CONTROLLER_QUORUM_VOTERS", "1@10.0.0.11")))
                .hasMessageContaining("is not id@host:port");
        assertThatThrownBy(() -> LauncherConfig.fromEnv(Map.of("BANK_NODE_ID", "one")))
                .hasMessageContaining("BANK_NODE_ID is not a number");
        assertThatThrownBy(() -> LauncherConfig.fromEnv(Map.of("BANK_CLUSTER_ID", "not-a-uuid")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
