package dev.bank.it;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Kafka cluster for integration tests, chosen at run time:
 * <ul>
 *   <li>Docker available (and a single broker asked for): Testcontainers' {@link KafkaContainer} on the
 *       official {@code apache/kafka} image, KRaft single node;</li>
 *   <li>otherwise (no Docker engine, or more than one broker): Kafka's own in-JVM KRaft test kit
 *       ({@link KafkaClusterTestKit}) — one combined broker+controller node for 1 broker, or N brokers with
 *       a separate controller.</li>
 * </ul>
 * Both allow transactions: the internal topics' replication and {@code min.isr} fit the broker count.
 * The same test classes run on either, so a machine without Docker runs every test.
 */
public final class TestKafkaCluster implements AutoCloseable {

    /** The image used where Docker exists; override with {@code -Dbank.test.kafkaImage=...}. */
    public static final String KAFKA_IMAGE = System.getProperty("bank.test.kafkaImage", "apache/kafka:4.1.0");

    private static final Logger log = LoggerFactory.getLogger(TestKafkaCluster.class);
    private static volatile Boolean dockerAvailable;

    /** Where the cluster runs. */
    public enum Kind { TESTCONTAINERS, KRAFT_TEST_KIT }

    private final Kind kind;
    private final int brokers;
    private final String bootstrapServers;
    private final AutoCloseable resource;

    private TestKafkaCluster(Kind kind, int brokers, String bootstrapServers, AutoCloseable resource) {
        this.kind = kind;
        this.brokers = brokers;
        this.bootstrapServers = bootstrapServers;
        this.resource = resource;
    }

    /**
     * Starts a cluster of {@code brokers} brokers (1 or more; 3 for replication tests) and returns once every
     * broker is ready. {@code -Dbank.test.kafka=kit|docker} forces a kind.
     */
    public static TestKafkaCluster start(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be >= 1");
        }
        String forced = System.getProperty("bank.test.kafka", "");
        boolean useDocker = switch (forced) {
            case "kit" -> false;
            case "docker" -> true;
            default -> brokers == 1 && dockerAvailable();
        };
        long t0 = System.nanoTime();
        TestKafkaCluster cluster = useDocker ? startContainer(brokers) : startKit(brokers);
        log.info("Test Kafka cluster ({}, {} broker(s)) at {} ready in {} ms", cluster.kind, brokers,
                cluster.bootstrapServers, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return cluster;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int brokers() {
        return brokers;
    }

    public Kind kind() {
        return kind;
    }

    /** Replication factor a test topic can use on this cluster (3 at most). */
    public short maxReplication() {
        return (short) Math.min(3, brokers);
    }

    @Override
    public void close() throws Exception {
        resource.close();
    }

    /**
     * True if a Docker engine answers. Probes Testcontainers only where there is a hint of Docker (DOCKER_HOST,
     * a docker socket or a testcontainers config), with a time limit, and only once per JVM: without Docker
     * this returns false at once and logs nothing.
     */
    public static boolean dockerAvailable() {
        Boolean known = dockerAvailable;
        if (known != null) {
            return known;
        }
        synchronized (TestKafkaCluster.class) {
            if (dockerAvailable == null) {
                dockerAvailable = probeDocker();
                log.info("Docker {}: integration tests use {}", dockerAvailable ? "available" : "not available",
                        dockerAvailable ? "Testcontainers (" + KAFKA_IMAGE + ")" : "Kafka's in-JVM KRaft test kit");
            }
            return dockerAvailable;
        }
    }

    private static boolean probeDocker() {
        String home = System.getProperty("user.home", "");
        boolean hint = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
                || Files.exists(Path.of(home, ".testcontainers.properties"))
                || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null;
        if (!hint) {
            return false;
        }
        CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(
                () -> DockerClientFactory.instance().isDockerAvailable());
        try {
            return probe.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            probe.cancel(true);
            log.warn("Docker probe failed or timed out, using the in-JVM KRaft test kit: {}", e.toString());
            return false;
        }
    }

    private static TestKafkaCluster startContainer(int brokers) {
        if (brokers != 1) {
            throw new IllegalArgumentException("the Testcontainers cluster has one broker; use the test kit for "
                    + brokers);
        }
        KafkaContainer container = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS", "1000")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        container.start();
        return new TestKafkaCluster(Kind.TESTCONTAINERS, 1, container.getBootstrapServers(), container::stop);
    }

    private static TestKafkaCluster startKit(int brokers) {
        boolean combined = brokers == 1;
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(combined)
                .setNumBrokerNodes(brokers)
                .setNumControllerNodes(1)
                .build();
        String replication = String.valueOf(Math.min(3, brokers));
        String minIsr = String.valueOf(Math.min(2, brokers));
        KafkaClusterTestKit kit = null;
        try {
            kit = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", replication)
                    .setConfigProp("offsets.topic.num.partitions", "5")
                    .setConfigProp("transaction.state.log.replication.factor", replication)
                    .setConfigProp("transaction.state.log.min.isr", minIsr)
                    .setConfigProp("transaction.state.log.num.partitions", "5")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", replication)
                    .setConfigProp("share.coordinator.state.topic.min.isr", minIsr)
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            KafkaClusterTestKit started = kit;
            return new TestKafkaCluster(Kind.KRAFT_TEST_KIT, brokers, kit.bootstrapServers(), started::close);
        } catch (Exception e) {
            if (kit != null) {
                try {
                    kit.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot start the in-JVM Kafka test cluster", e);
        }
    }
}
