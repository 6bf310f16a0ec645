package dev.bank.it;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestKafkaClusterIT {

    @Test
    void singleBrokerClusterDeliversCommittedTransactionsAndHidesAbortedOnes() throws Exception {
        try (TestKafkaCluster cluster = TestKafkaCluster.start(1)) {
            String topic = "tx-single";
            KafkaClients.createTopic(cluster.bootstrapServers(), topic, 3, cluster.maxReplication());

            KafkaClients.sendInTransaction(cluster.bootstrapServers(), topic, "acc-1", "aborted", false);
            KafkaClients.sendInTransaction(cluster.bootstrapServers(), topic, "acc-1", "committed", true);

            assertThat(KafkaClients.readCommittedValues(cluster.bootstrapServers(), topic, 1))
                    .containsExactly("committed");
        }
    }

    @Test
    void threeBrokerClusterDeliversCommittedTransactionsOnReplicatedTopics() throws Exception {
        try (TestKafkaCluster cluster = TestKafkaCluster.start(3)) {
            assertThat(cluster.maxReplication()).isEqualTo((short) 3);
            String topic = "tx-replicated";
            KafkaClients.createTopic(cluster.bootstrapServers(), topic, 3, cluster.maxReplication());

            KafkaClients.sendInTransaction(cluster.bootstrapServers(), topic, "acc-2", "committed", true);

            assertThat(KafkaClients.readCommittedValues(cluster.bootstrapServers(), topic, 1))
                    .containsExactly("committed");
        }
    }
}
