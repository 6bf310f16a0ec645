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
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real single-node KRaft Kafka (one process that is both broker and controller, node id 1) running inside
 * this JVM on Kafka's own server classes ({@link KafkaRaftServer}, the class {@code kafka.Kafka} starts).
 *
 * <p>Its log directory is {@code <dataDir>/kafka}. The first start formats it (a fresh cluster id, written
 * to {@code meta.properties} by Kafka's {@link Formatter}); every later start on the same directory reuses it,
 * so topics, records, committed offsets and transaction state survive a restart.
 *
 * <p>Listeners bind to 127.0.0.1 only. A port of {@code 0} means "pick a free one" (useful in tests).
 * The settings are those a single node needs: internal topics with replication 1, no initial rebalance
 * delay and no topic auto-creation. Transactions (and so exactly_once_v2 Streams) work against it.
 */
public final class EmbeddedBroker implements AutoCloseable {

    public static final int DEFAULT_BROKER_PORT = 9092;
    public static final int DEFAULT_CONTROLLER_PORT = 9093;
    public static final int NODE_ID = 1;
    static final String HOST = "127.0.0.1";
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final Path logDir;
    private final int brokerPort;
    private final int controllerPort;
    private final String clusterId;
    private final boolean formatted;
    private final KafkaRaftServer server;
    private final FileChannel dataDirLock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedBroker(Path logDir, int brokerPort, int controllerPort, String clusterId, boolean formatted,
                           KafkaRaftServer server, FileChannel dataDirLock) {
        this.dataDirLock = dataDirLock;
        this.logDir = logDir;
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
        long t0 = System.nanoTime();
        Path logDir = dataDir.toAbsolutePath().normalize().resolve("kafka");
        int bPort = brokerPort == 0 ? freePort() : brokerPort;
        int cPort = controllerPort == 0 ? freePort() : controllerPort;
        Map<String, Object> props = brokerConfig(logDir, bPort, cPort);
        props.putAll(overrides);
        KafkaConfig config = new KafkaConfig(props, false);

        boolean formatNow;
        String clusterId;
        FileChannel lock = lockDataDir(logDir);
        try {
            Files.createDirectories(logDir);
            formatNow = !Files.exists(logDir.resolve("meta.properties"));
            clusterId = formatNow ? format(logDir) : readClusterId(logDir);
        } catch (IOException e) {
            closeQuietly(lock);
            throw new UncheckedIOException("cannot prepare Kafka log dir " + logDir, e);
        }

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        EmbeddedBroker broker = new EmbeddedBroker(logDir, bPort, cPort, clusterId, formatNow, server, lock);
        try {
            server.startup();
            broker.awaitReady(READY_TIMEOUT, readinessClient);
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        log.info("Kafka broker up on {} (controller 127.0.0.1:{}, cluster {}, {} storage {}) in {} ms",
                broker.bootstrapServers(), cPort, clusterId, formatNow ? "formatted new" : "reused", logDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return broker;
    }

    /** {@code 127.0.0.1:<brokerPort>}, for clients. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
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
        Map<String, Object> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        // a single node: every internal topic with replication 1
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("min.insync.replicas", "1");
        p.put("default.replication.factor", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // a killed processor's open transaction is aborted within a second of its timeout, not up to ten (Kafka's
        // default check interval): the instance taking over waits for that abort (docs/operations.md, failover)
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        return p;
    }

    /** What {@code kafka-storage.sh format} does, for one node with a static voter set. */
    private static String format(Path logDir) {
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(print)
                    .setNodeId(NODE_ID)
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

    private void awaitReady(Duration timeout, KafkaSecurity security) {
        Map<String, Object> conf = security.withClientProperties(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
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

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
