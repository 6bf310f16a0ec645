package dev.bank.it;

import dev.bank.launcher.TopicCreator;
import dev.bank.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A bank spread over Linux network namespaces, as over hosts on a network: every node (3 Kafka brokers, the processors,
 * the gateways) is a separate OS process, started with the launcher's own commands ({@code bank broker}, {@code
 * processor}, {@code gateway}: {@code dev.bank.launcher.Main}), in a namespace of its own with its own address. Each
 * namespace has one veth pair to a bridge in the root namespace, which has an address on it too, so the test JVM
 * reaches every node (and only them) over that subnet. Faults are made on those links: a process killed (SIGKILL), a
 * node cut off from some addresses (blackhole routes in its namespace: its packets to them vanish, as in a
 * partition, without needing iptables), a slow link (tbf shaping both ways; this kernel has no netem).
 *
 * <p>Everything it makes is named with {@link Netns#prefix()} and removed by {@link #close()}, which a JVM shutdown
 * hook also runs; the next run removes what a killed JVM left ({@link Netns#removeStale()}). Each node's output goes
 * to {@code <logs>/<node>.log}, which is kept.
 */
final class NetnsCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetnsCluster.class);
    static final int KAFKA_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final int QUERY_PORT = 8081;
    static final int GATEWAY_PORT = 8080;

    /** What a node is: its kind names its launcher command. */
    enum Kind { BROKER, PROCESSOR, GATEWAY }

    /** One node: its namespace, its address, its veth's end in the root namespace, and its process. */
    final class Node {
        final String name;
        final Kind kind;
        final String namespace;
        final String ip;
        final String hostVeth;
        final Map<String, String> env = new LinkedHashMap<>();
        private Process process;

        Node(String name, Kind kind, int index) {
            this.name = name;
            this.kind = kind;
            this.namespace = prefix + "-" + name;
            this.ip = subnet + "." + (10 + index);
            this.hostVeth = prefix + "v" + index;
        }

        /** Starts (or starts again) the node's process, appending to its log. */
        synchronized void launch() {
            if (process != null && process.isAlive()) throw new IllegalStateException(name + " is running");
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, javaBin));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bank.launcher.Main",
                    kind.name().toLowerCase()));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().keySet().removeIf(k -> k.startsWith("BANK_"));
            builder.environment().putAll(env);
            Path logFile = logs.resolve(name + ".log");
            builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            try {
                Files.writeString(logFile, "---- " + java.time.Instant.now() + " launching " + name + " in "
                        + namespace + " (" + ip + ")\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                // ip netns exec execs java in place: this process is the JVM, so a kill reaches it
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            log.info("started {} at {} (pid {})", name, ip, process.pid());
        }

        /** SIGKILL: no shutdown hook, nothing flushed, as a crash or an OOM kill. */
        synchronized void kill() {
            if (process == null) return;
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.info("killed {} (SIGKILL)", name);
        }

        synchronized boolean alive() {
            return process != null && process.isAlive();
        }

        Path log() {
            return logs.resolve(name + ".log");
        }

        String url(int port) {
            return "http://" + ip + ":" + port;
        }

        /**
         * Drops this node's packets to {@code others} (its replies included): a partition from them. Checked: a
         * connection from its namespace to the first of them then fails.
         */
        void cutOffFrom(List<Node> others, int port) {
            for (Node o : others) Netns.run("ip", "-n", namespace, "route", "add", "blackhole", o.ip + "/32");
            Netns.Result probe = Netns.exec("ip", "netns", "exec", namespace, "timeout", "3", "bash", "-c",
                    "exec 3<>/dev/tcp/" + others.get(0).ip + "/" + port);
            if (probe.status() == 0) {
                throw new IllegalStateException(name + " still reaches " + others.get(0) + " through the partition");
            }
            log.info("partitioned {} from {}", name, others.stream().map(o -> o.name).toList());
        }

        /** How often this node's Kafka Streams went into REBALANCING so far, by its log. */
        long rebalances() {
            try (java.util.stream.Stream<String> lines = Files.lines(log())) {
                return lines.filter(l -> l.contains("streams state") && l.contains("-> REBALANCING")).count();
            } catch (IOException | java.io.UncheckedIOException e) {
                return -1;
            }
        }

        void reconnect(List<Node> others) {
            for (Node o : others) Netns.quietly("ip", "-n", namespace, "route", "del", "blackhole", o.ip + "/32");
            log.info("healed the partition of {}", name);
        }

        /** Shapes the link both ways to {@code rate} (tbf): what does not fit waits, up to {@code latency}, or drops. */
        void slowLink(String rate, String latency) {
            Netns.run("tc", "qdisc", "add", "dev", hostVeth, "root", "tbf", "rate", rate, "burst", "16kb", "latency",
                    latency);
            Netns.run("ip", "netns", "exec", namespace, "tc", "qdisc", "add", "dev", "eth0", "root", "tbf", "rate",
                    rate, "burst", "16kb", "latency", latency);
            log.info("slowed the link of {} to {} (queueing up to {})", name, rate, latency);
        }

        void fastLink() {
            Netns.quietly("tc", "qdisc", "del", "dev", hostVeth, "root");
            Netns.quietly("ip", "netns", "exec", namespace, "tc", "qdisc", "del", "dev", "eth0", "root");
            log.info("restored the link of {}", name);
        }

        @Override
        public String toString() {
            return name + "@" + ip;
        }
    }

    /** Small heaps and a quick JIT: eight JVMs share two cores here. */
    static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Djava.net.preferIPv4Stack=true");

    final String prefix = Netns.prefix();
    final String subnet;
    final String bridge = prefix + "br";
    final String hostIp;
    final Path logs;
    final Path data;
    final String clusterId = Uuid.randomUuid().toString();
    private final List<String> jvmOptions;
    final List<Node> brokers = new ArrayList<>();
    final List<Node> processors = new ArrayList<>();
    final List<Node> gateways = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Thread hook = new Thread(this::close, "netns-cleanup");
    private boolean closed;

    /**
     * Makes the network and the nodes' settings (nothing started yet).
     *
     * @param logs where each node's output goes, kept after the run
     */
    NetnsCluster(int processorCount, int gatewayCount, Path logs, Map<String, String> processorSettings) {
        this(processorCount, gatewayCount, logs, processorSettings, TEST_JVM_OPTIONS);
    }

    /** As above, the nodes' JVMs started with {@code jvmOptions}. */
    NetnsCluster(int processorCount, int gatewayCount, Path logs, Map<String, String> processorSettings,
                 List<String> jvmOptions) {
        this.jvmOptions = List.copyOf(jvmOptions);
        Netns.removeStale();
        this.logs = logs;
        this.subnet = freeSubnet();
        this.hostIp = subnet + ".1";
        Runtime.getRuntime().addShutdownHook(hook);
        this.data = Netns.tempDir();
        try {
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Netns.run("ip", "link", "add", bridge, "type", "bridge");
            Netns.run("ip", "addr", "add", hostIp + "/24", "dev", bridge);
            Netns.run("ip", "link", "set", bridge, "up");
            for (int i = 1; i <= 3; i++) brokers.add(node("broker" + i, Kind.BROKER));
            for (int i = 1; i <= processorCount; i++) processors.add(node("processor" + i, Kind.PROCESSOR));
            for (int i = 1; i <= gatewayCount; i++) gateways.add(node("gateway" + i, Kind.GATEWAY));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        String voters = brokers.stream().map(b -> (brokers.indexOf(b) + 1) + "@" + b.ip + ":" + CONTROLLER_PORT)
                .collect(Collectors.joining(","));
        for (Node b : brokers) {
            b.env.putAll(Map.of("BANK_NODE_ID", String.valueOf(brokers.indexOf(b) + 1), "BANK_BROKER_HOST", b.ip,
                    "BANK_CONTROLLER_QUORUM_VOTERS", voters, "BANK_CLUSTER_ID", clusterId,
                    "BANK_KAFKA_PORT", String.valueOf(KAFKA_PORT), "BANK_CONTROLLER_PORT", String.valueOf(CONTROLLER_PORT),
                    "BANK_DATA_DIR", data.resolve(b.name).toString()));
        }
        for (Node p : processors) {
            p.env.putAll(processorSettings);
            p.env.putAll(Map.of("BANK_BOOTSTRAP_SERVERS", bootstrapServers(), "BANK_QUERY_HOST", p.ip,
                    "BANK_QUERY_BIND_HOST", p.ip, "BANK_QUERY_PORT", String.valueOf(QUERY_PORT),
                    "BANK_STATE_DIR", data.resolve(p.name).toString(), "BANK_SERVICE_TOKEN", BankStack.SERVICE_TOKEN,
                    "BANK_INTERNAL_REPLICATION", "3"));
        }
        for (Node g : gateways) {
            g.env.putAll(Map.of("BANK_BOOTSTRAP_SERVERS", bootstrapServers(), "BANK_GATEWAY_BIND_HOST", g.ip,
                    "BANK_GATEWAY_PORT", String.valueOf(GATEWAY_PORT), "BANK_SERVICE_TOKEN", BankStack.SERVICE_TOKEN,
                    "BANK_PROCESSOR_URLS", processors.stream().map(p -> p.url(QUERY_PORT))
                            .collect(Collectors.joining(",")),
                    "BANK_JWT_PUBLIC_KEY_FILE", BankStack.issuerForTests().publicKeyFile().toString()));
        }
        log.info("network {}.0/24 on bridge {} (this JVM {}): {}", subnet, bridge, hostIp, nodes);
    }

    private Node node(String name, Kind kind) {
        Node n = new Node(name, kind, nodes.size() + 1);
        nodes.add(n);
        Netns.run("ip", "netns", "add", n.namespace);
        Netns.run("ip", "link", "add", n.hostVeth, "type", "veth", "peer", "name", "eth0", "netns", n.namespace);
        Netns.run("ip", "link", "set", n.hostVeth, "master", bridge, "up");
        Netns.run("ip", "-n", n.namespace, "addr", "add", n.ip + "/24", "dev", "eth0");
        Netns.run("ip", "-n", n.namespace, "link", "set", "eth0", "up");
        Netns.run("ip", "-n", n.namespace, "link", "set", "lo", "up");
        return n;
    }

    /** A /24 of 10.213.0.0/16 that no route here uses yet, picked from this JVM's pid. */
    private static String freeSubnet() {
        String routes = Netns.run("ip", "-4", "route", "show");
        long pid = ProcessHandle.current().pid();
        for (int i = 0; i < 200; i++) {
            String candidate = "10.213." + (int) ((pid + i) % 200 + 20);
            if (!routes.contains(candidate + ".")) return candidate;
        }
        throw new IllegalStateException("no free 10.213.x.0/24 subnet for the test network");
    }

    String bootstrapServers() {
        return brokers.stream().map(b -> b.ip + ":" + KAFKA_PORT).collect(Collectors.joining(","));
    }

    /** Starts the brokers together (a new quorum forms only once a majority is up) and creates the topics. */
    void startBrokers(Topics topics, Duration timeout) {
        brokers.forEach(Node::launch);
        awaitBrokers(brokers.size(), timeout, "the first start");
        TopicCreator.createAll(bootstrapServers(), topics.specs(), timeout);
    }

    /** Waits until {@code count} brokers are registered and every partition of the bank's topics has its replicas. */
    void awaitBrokers(int count, Duration timeout, String when) {
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                5_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(conf)) {
            while (System.nanoTime() < deadline) {
                for (Node b : brokers) {
                    if (!b.alive()) throw new IllegalStateException(when + ": " + b + " died; see " + b.log());
                }
                try {
                    int registered = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (registered >= count) return;
                    last = new IllegalStateException(registered + " of " + count + " brokers registered");
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(300);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException(when + ": " + count + " brokers not registered within " + timeout + " (logs in "
                + logs + ")", last);
    }

    /** Waits until a processor's query API answers for accounts (200 or 404, not 503): Streams RUNNING. */
    void awaitProcessor(Node p, Duration timeout, String when) {
        HttpRequest probe = HttpRequest.newBuilder(URI.create(p.url(QUERY_PORT) + "/internal/accounts/probe"))
                .header("Authorization", "Bearer " + BankStack.SERVICE_TOKEN).timeout(Duration.ofSeconds(3)).build();
        awaitHttp(p, probe, s -> s == 200 || s == 404, timeout, when + ": " + p + " query API answering for accounts");
    }

    /** Waits until a gateway's {@code /health/ready} is 200: its producer and results reader hold a connection. */
    void awaitGateway(Node g, Duration timeout, String when) {
        HttpRequest probe = HttpRequest.newBuilder(URI.create(g.url(GATEWAY_PORT) + "/health/ready"))
                .timeout(Duration.ofSeconds(3)).build();
        awaitHttp(g, probe, s -> s == 200, timeout, when + ": " + g + " ready");
    }

    private static final HttpClient PROBES = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private void awaitHttp(Node n, HttpRequest probe, java.util.function.IntPredicate ok, Duration timeout,
                           String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!n.alive()) throw new IllegalStateException(what + ": the process died; see " + n.log());
            try {
                int status = PROBES.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (ok.test(status)) return;
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(what + ": not within " + timeout + " (last: " + last + "; log " + n.log() + ")");
    }

    /** True if something accepts TCP connections at the node's port (from the root namespace, over the bridge). */
    static boolean listening(Node n, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(n.ip, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops every process (SIGKILL: nothing of theirs is needed any more), removes the namespaces (their veths go
     * with them), the bridge and the data; keeps the logs. Safe to call more than once, and from the shutdown hook.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Node n : nodes) {
            if (n.process != null) n.process.destroyForcibly();
        }
        for (Node n : nodes) {
            if (n.process != null) {
                try {
                    n.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Netns.killAllIn(n.namespace); // anything else started in it
            Netns.quietly("ip", "netns", "del", n.namespace);
            Netns.quietly("ip", "link", "del", n.hostVeth);
        }
        Netns.quietly("ip", "link", "del", bridge);
        if (data != null) Netns.removeTree(data);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        log.info("removed the test network {} (namespaces, veths, bridge, processes, data); logs kept in {}",
                prefix, logs);
    }

    /** What of this run is still there: namespaces and links named with its prefix (empty after close). */
    List<String> leftovers() {
        List<String> found = new ArrayList<>();
        for (String line : Netns.run("ip", "netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(prefix + "-")) found.add("namespace " + name);
        }
        for (String line : Netns.run("ip", "-o", "link", "show").split("\n")) {
            String[] parts = line.split(":\\s+", 3);
            if (parts.length >= 2 && parts[1].split("@")[0].startsWith(prefix)) found.add("link " + parts[1]);
        }
        if (data != null && Files.exists(data)) found.add("directory " + data);
        return found;
    }
}
