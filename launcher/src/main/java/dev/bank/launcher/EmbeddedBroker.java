package dev.bank.launcher;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import dev.bank.observability.KafkaSecurity;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real KRaft Kafka node (one process that is both broker and controller) running inside this JVM on Kafka's own
 * server classes ({@link KafkaRaftServer}, the class {@code kafka.Kafka} starts). By default it is a cluster of its
 * own (node id 1, the only voter, on 127.0.0.1); with a {@link Node} it is one of several nodes of a cluster, each
 * both broker and controller, with a static quorum of voters on their own addresses (the namespaced test cluster of
 * {@code NetworkFaultsIT}, or one node per host).
 *
 * <p>Its log directory is {@code <dataDir>/kafka}. The first start formats it (a fresh cluster id, written
 * to {@code meta.properties} by Kafka's {@link Formatter}); every later start on the same directory reuses it,
 * so topics, records, committed offsets and transaction state survive a restart.
 *
 * <p>A single node's listeners bind to 127.0.0.1 only. A port of {@code 0} means "pick a free one" (useful in
 * tests). The settings are those a single node needs: internal topics with replication 1, no initial rebalance
 * delay and no topic auto-creation. In a cluster of n voters the internal topics (offsets, transaction state) are
 * replicated min(3, n) times with min.insync.replicas min(2, that), so one node may die without stopping
 * transactions. Transactions (and so exactly_once_v2 Streams) work against either.
 */
public final class EmbeddedBroker implements AutoCloseable {

    public static final int DEFAULT_BROKER_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    public static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** how long a restarted node waits for its coordinators to end the transactions open when it stopped */
    private static final Duration HANGING_TRANSACTIONS_SETTLE = Duration.ofSeconds(20);

    /**
     * Which node of which cluster this is.
     *
     * @param nodeId    the node id, also its voter id
     * @param host      the address clients and the other nodes reach it at (advertised, and in {@code voters})
     * @param bindHost  the address its listeners bind to ({@code 0.0.0.0} for all)
     * @param voters    the static controller quorum, {@code id@host:port,...}; null: this node alone, on its
     *                  controller port
     * @param clusterId the cluster id to format new storage with, the same on every node of a cluster (Kafka's
     *                  22-character base64 UUID); null: a fresh one, which only a single-node cluster may use
     */
    public record Node(int nodeId, String host, String bindHost, String voters, String clusterId) {
        /** The default: node 1, alone, on 127.0.0.1. */
        public static final Node SINGLE = new Node(NODE_ID, HOST, HOST, null, null);

        public Node {
            if (nodeId < 0) throw new IllegalArgumentException("bad BANK_NODE_ID " + nodeId);
            if (host == null || host.isBlank()) throw new IllegalArgumentException("BANK_BROKER_HOST is blank");
            if (bindHost == null || bindHost.isBlank()) bindHost = host;
            if (voters != null && voters.isBlank()) voters = null;
            if (clusterId != null && clusterId.isBlank()) clusterId = null;
            if (voters != null) {
                List<String> ids = voterIds(voters);
                if (!ids.contains(String.valueOf(nodeId))) {
                    throw new IllegalArgumentException("BANK_NODE_ID " + nodeId + " is not among the voters of "
                            + "BANK_CONTROLLER_QUORUM_VOTERS " + voters);
                }
                if (ids.size() > 1 && clusterId == null) {
                    // each node would format its storage with a cluster id of its own: they would never form a quorum
                    throw new IllegalArgumentException("a cluster of " + ids.size() + " voters needs BANK_CLUSTER_ID,"
                            + " the same on every node");
                }
            }
            if (clusterId != null) Uuid.fromString(clusterId); // a readable error now rather than at formatting
        }

        /** How many nodes the quorum has (each is also a broker here). */
        public int clusterSize() {
            return voters == null ? 1 : voterIds(voters).size();
        }

        String votersOr(int controllerPort) {
            return voters != null ? voters : nodeId + "@" + host + ":" + controllerPort;
        }

        private static List<String> voterIds(String voters) {
            List<String> ids = new java.util.ArrayList<>();
            for (String voter : voters.split(",")) {
                String v = voter.trim();
                int at = v.indexOf('@');
                int colon = v.lastIndexOf(':');
                if (at <= 0 || colon < at + 2 || colon == v.length() - 1) {
                    throw new IllegalArgumentException("BANK_CONTROLLER_QUORUM_VOTERS: '" + v + "' is not id@host:port");
                }
                ids.add(v.substring(0, at));
            }
            return ids;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Path logDir;
    private final String host;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId;
    private final boolean formatted;
    private final KafkaRaftServer server;
    private final FileChannel dataDirLock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedBroker(Path logDir, String host, int brokerPort, int controllerPort, String clusterId,
                           boolean formatted, KafkaRaftServer server, FileChannel dataDirLock) {
        this.dataDirLock = dataDirLock;
        this.logDir = logDir;
        this.host = host;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.formatted = formatted;
        this.server = server;
    }

    /** Starts on the default ports 9092 (broker) and 9093 (controller). */
    public static EmbeddedBroker start(Path dataDir) {
        return start(dataDir, DEFAULT_BROKER_PORT, DEFAULT_CONTROLLER_PORT);
    }

    public static EmbeddedBroker start(Path dataDir, int brokerPort, int controllerPort) {
        return start(dataDir, brokerPort, controllerPort, Map.of());
    }

    /**
     * Formats {@code <dataDir>/kafka} if it is not formatted yet, starts the broker and controller and returns
     * once the broker answers an Admin {@code describeCluster}.
     *
     * @param brokerPort     client listener port, 0 for a free one
     * @param controllerPort controller (KRaft quorum) listener port, 0 for a free one
     * @param overrides      extra broker configs, applied last
     */
    public static EmbeddedBroker start(Path dataDir, int brokerPort, int controllerPort,
                                       Map<String, String> overrides) {
        return start(dataDir, brokerPort, controllerPort, overrides, KafkaSecurity.PLAINTEXT);
    }

    /**
     * As {@link #start(Path, int, int, Map)}, for a broker whose overrides secure the {@code brokerPort}
     * listener: {@code readinessClient} is how the start-up check authenticates there (a super user).
     */
    public static EmbeddedBroker start(Path dataDir, int brokerPort, int controllerPort,
                                       Map<String, String> overrides, KafkaSecurity readinessClient) {
        return start(dataDir, brokerPort, controllerPort, Node.SINGLE, overrides, readinessClient);
    }

    /**
     * As {@link #start(Path, int, int)}, as {@code node} of a cluster. A node of a cluster of several returns once
     * the quorum has a leader and this broker is registered, so the nodes of a new cluster are started together.
     */
    public static EmbeddedBroker start(Path dataDir, int brokerPort, int controllerPort, Node node) {
        return start(dataDir, brokerPort, controllerPort, node, Map.of(), KafkaSecurity.PLAINTEXT);
    }

    private static EmbeddedBroker start(Path dataDir, int brokerPort, int controllerPort, Node node,
                                        Map<String, String> overrides, KafkaSecurity readinessClient) {
        long t0 = System.nanoTime();
        Path logDir = dataDir.toAbsolutePath().normalize().resolve("kafka");
        int bPort = brokerPort == 0 ? freePort(node.bindHost()) : brokerPort;
        int cPort = controllerPort == 0 ? freePort(node.bindHost()) : controllerPort;
        Map<String, Object> props = brokerConfig(logDir, bPort, cPort, node);
        props.putAll(overrides);
        KafkaConfig config = new KafkaConfig(props, false);

        boolean formatNow;
        String clusterId;
        FileChannel lock = lockDataDir(logDir);
        try {
            Files.createDirectories(logDir);
            formatNow = !Files.exists(logDir.resolve("meta.properties"));
            clusterId = formatNow ? format(logDir, node) : readClusterId(logDir);
        } catch (IOException e) {
            closeQuietly(lock);
            throw new UncheckedIOException("cannot prepare Kafka log dir " + logDir, e);
        }

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedBroker broker = new EmbeddedBroker(logDir, node.host(), bPort, cPort, clusterId, formatNow, server,
                lock);
        try {
            server.startup();
            broker.awaitReady(READY_TIMEOUT, readinessClient);
            if (!formatNow) {
                broker.endHangingTransactions(readinessClient);
            }
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        log.info("Kafka broker node {} up on {} (controller {}:{}, quorum {}, cluster {}, {} storage {}) in {} ms",
                node.nodeId(), broker.bootstrapServers(), node.host(), cPort, node.votersOr(cPort), clusterId,
                formatNow ? "formatted new" : "reused", logDir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return broker;
    }

    /** {@code <host>:<brokerPort>} (127.0.0.1 for a single node), for clients. */
    public String bootstrapServers() {
        return host + ":" + brokerPort;
    }

    /** The address clients reach this node at. */
    public String host() {
        return host;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /** The cluster id in {@code meta.properties}: generated once, on the start that formatted the storage. */
    public String clusterId() {
        return clusterId;
    }

    /** {@code <dataDir>/kafka}. */
    public Path logDir() {
        return logDir;
    }

    /** True if this start formatted the storage (first start on the directory), false if it reused it. */
    public boolean formattedStorage() {
        return formatted;
    }

    /** Shuts the broker and controller down and waits until they have stopped. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Kafka broker shutdown failed", e);
        }
        closeQuietly(dataDirLock);
        log.info("Kafka broker on {} stopped in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Takes an exclusive lock on the data directory before anything else happens. A second broker on the same
     * data would register as the same node with the running controller and fence the first one, so it must
     * fail here, with a clear message, instead of half-starting.
     */
    private static FileChannel lockDataDir(Path logDir) {
        Path lockFile = logDir.resolveSibling("kafka.lock");
        try {
            Files.createDirectories(logDir.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("another bank broker is already running on " + logDir.getParent()
                        + "; stop it first, or set BANK_DATA_DIR to another directory");
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close(); // releases the lock
        } catch (IOException e) {
            log.warn("cannot release the data directory lock: {}", e.toString());
        }
    }

    static Map<String, Object> brokerConfig(Path logDir, int brokerPort, int controllerPort) {
        return brokerConfig(logDir, brokerPort, controllerPort, Node.SINGLE);
    }

    static Map<String, Object> brokerConfig(Path logDir, int brokerPort, int controllerPort, Node node) {
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(node.nodeId()));
        p.put("controller.quorum.voters", node.votersOr(controllerPort));
        p.put("listeners", BROKER_LISTENER + "://" + node.bindHost() + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + node.bindHost() + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + node.host() + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        // a single node: every internal topic with replication 1; a cluster: 3 copies where there are 3 nodes, of
        // which 2 must have a write, so that one node may be down (a 2-node cluster: 2 copies, 1 needed)
        String replication = String.valueOf(Math.min(3, node.clusterSize()));
        String minIsr = node.clusterSize() >= 3 ? "2" : "1";
        p.put("offsets.topic.replication.factor", replication);
        p.put("transaction.state.log.replication.factor", replication);
        p.put("transaction.state.log.min.isr", minIsr);
        p.put("share.coordinator.state.topic.replication.factor", replication);
        p.put("share.coordinator.state.topic.min.isr", minIsr);
        p.put("min.insync.replicas", minIsr);
        p.put("default.replication.factor", replication);
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // a killed processor's open transaction is aborted within a second of its timeout, not up to ten (Kafka's
        // default check interval): the instance taking over waits for that abort (docs/operations.md, failover)
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        return p;
    }

    /** What {@code kafka-storage.sh format} does, for a node of a static voter set. */
    private static String format(Path logDir, Node node) {
        String clusterId = node.clusterId() != null ? node.clusterId() : Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(node.nodeId())
                    .setClusterId(clusterId)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .addDirectory(logDir.toString())
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("formatting Kafka storage in " + logDir + " failed", e);
        }
        log.info("Formatted Kafka storage {} with cluster id {}", logDir, clusterId);
        log.debug("Formatter said: {}", out.toString(StandardCharsets.UTF_8).trim());
        return clusterId;
    }

    private static String readClusterId(Path logDir) throws IOException {
        Properties meta = new Properties();
        try (InputStream in = Files.newInputStream(logDir.resolve("meta.properties"))) {
            meta.load(in);
        }
        String id = meta.getProperty("cluster.id");
        if (id == null || id.isBlank()) {
            throw new IllegalStateException(logDir.resolve("meta.properties") + " has no cluster.id");
        }
        return id;
    }

    private Map<String, Object> adminConfig(KafkaSecurity security) {
        return security.withClientProperties(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
    }

    /**
     * After a restart on existing storage: ends the transactions the coordinator aborted while this node came back
     * whose markers were lost ({@link HangingTransactions}), before any client of this node reads past them.
     */
    private void endHangingTransactions(KafkaSecurity security) {
        try (Admin admin = Admin.create(adminConfig(security))) {
            HangingTransactions.repair(admin, HANGING_TRANSACTIONS_SETTLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for hanging transactions", e);
        }
    }

    private void awaitReady(Duration timeout, KafkaSecurity security) {
        Map<String, Object> conf = adminConfig(security);
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() < deadline) {
                try {
                    int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (nodes > 0) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    last = e;
                }
                // a short poll interval between describeCluster attempts while the broker unfences
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " not ready after " + timeout, last);
    }

    private static int freePort(String bindHost) {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(bindHost))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
