package dev.bank.launcher;

import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.observability.AsyncPool;
import dev.bank.notifier.NotifierApp;
import dev.bank.notifier.NotifierConfig;
import dev.bank.observability.KafkaSecurity;
import dev.bank.processor.ProcessorApp;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Topics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bank local|broker|topics|processor|gateway|notifier|bench|help}. {@code local} runs a Kafka broker, the topics,
 * the processor, the gateway and the webhook notifier in this JVM; the others run one part each. Ctrl-C or SIGTERM stops what was
 * started, in reverse order. {@code bench} runs the {@code bench} module's harness.
 */
public final class Main {

    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration PROCESSOR_RUNNING_TIMEOUT = Duration.ofSeconds(90);

    static final String USAGE = """
            usage: bank <command>

              local      Kafka broker (KRaft, in this JVM) + topics + processor + gateway + notifier: everything, one process
              broker     Kafka broker + topics only
              topics     create the topics on BANK_BOOTSTRAP_SERVERS (existing ones are kept) and exit
              acls       as a Kafka super user: set the roles' SCRAM users (BANK_ACL_*_PASSWORD_FILE) and ACLs
              processor  the Kafka Streams processor and its query API (needs a running Kafka)
              gateway    the REST gateway (needs a running Kafka and processor)
              notifier   the webhook notifier: delivers account events to subscriptions (needs a running Kafka)
              token      a bearer token signed with the local key in BANK_DATA_DIR/auth (made by 'local' or 'keys'):
                         token --sub alice [--scope "bank:read bank:write"] [--ttl 1h]
              cluster-id a fresh cluster id for BANK_CLUSTER_ID (the same on every node of a cluster)
              keys       make the local signing key in BANK_DATA_DIR/auth (if missing) and print its public half
              bench      benchmark: raw Kafka pipe vs. the bank (Kafka and REST), table + JSON (bench/README.md)
              help       this text

            environment (defaults):
              BANK_DATA_DIR          ./data   broker data in <dir>/kafka, Streams state in <dir>/streams
              BANK_KAFKA_PORT        9092     embedded broker's client port
              BANK_CONTROLLER_PORT   9093     embedded broker's controller port
              BANK_NODE_ID, BANK_BROKER_HOST, BANK_BROKER_BIND_HOST, BANK_CONTROLLER_QUORUM_VOTERS, BANK_CLUSTER_ID
                                     'broker' as one node of a cluster: 1, 127.0.0.1, the host, this node alone, -
                                     (e.g. 2, 10.0.0.12, 0.0.0.0, 1@10.0.0.11:9093,2@10.0.0.12:9093,3@10.0.0.13:9093,
                                     one id for all nodes from 'bank cluster-id'); a cluster's topics: 'bank topics'
              BANK_BOOTSTRAP_SERVERS 127.0.0.1:9092  Kafka for 'processor' and 'gateway' ('local' uses its own)
              BANK_KAFKA_SECURITY_PROTOCOL PLAINTEXT  or SASL_PLAINTEXT / SASL_SSL with BANK_KAFKA_USERNAME and
                                     BANK_KAFKA_PASSWORD_FILE ('local' is always PLAINTEXT on loopback)
              BANK_SERVICE_TOKEN_FILE  the secret the gateway and processors share ('processor', 'gateway')
              BANK_JWT_JWKS_URL or BANK_JWT_PUBLIC_KEY_FILE  whose tokens the gateway accepts ('gateway')
              BANK_QUERY_PORT 8081, BANK_GATEWAY_PORT 8080, BANK_NOTIFIER_PORT 8082, BANK_PROCESSOR_URLS, BANK_TOPIC_* ...
              BANK_WEBHOOK_ALLOWED_HOSTS  hosts/CIDRs webhooks may reach despite the SSRF rules (none; e.g. localhost)
                                     (docs/operations.md)
            """;

    /** What was started, closed in reverse order. */
    private final Deque<Map.Entry<String, AutoCloseable>> started = new ArrayDeque<>();
    private boolean closing;

    private Main() {
    }

    public static void main(String[] args) {
        AsyncPool.ensureThreads();
        String command = args.length == 0 ? "help" : args[0];
        Map<String, String> env = System.getenv();
        switch (command) {
            case "help", "-h", "--help" -> {
                System.out.print(USAGE);
                return;
            }
            case "topics" -> System.exit(topics(env));
            case "cluster-id" -> {
                System.out.println(org.apache.kafka.common.Uuid.randomUuid());
                return;
            }
            case "acls" -> System.exit(acls(env));
            case "token" -> System.exit(Tokens.token(args, env, System.out, System.err));
            case "keys" -> System.exit(Tokens.keys(env, System.out, System.err));
            case "bench" -> {
                // the bench module depends on this one; ./bank starts its own entry point, dev.bank.bench.Bench
                System.err.println("bank bench: run it as ./bank bench (the bench module's dev.bank.bench.Bench)");
                System.exit(2);
            }
            case "local", "broker", "processor", "gateway", "notifier" -> { }
            default -> {
                System.err.println("unknown command: " + command);
                System.err.print(USAGE);
                System.exit(2);
            }
        }
        Main main = new Main();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            main.closeAll();
            stopped.countDown();
        }, "bank-shutdown"));
        try {
            LauncherConfig config = LauncherConfig.fromEnv(env);
            switch (command) {
                case "local" -> main.local(config, env);
                case "broker" -> main.broker(config, env);
                case "processor" -> main.processor(config, env);
                case "gateway" -> main.gateway(config, env);
                case "notifier" -> main.notifier(config, env);
                default -> throw new IllegalStateException(command);
            }
        } catch (Exception e) {
            log.error("bank {} failed to start: {}", command, e.toString(), e);
            System.exit(1); // runs the shutdown hook, which closes whatever did start
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code bank topics}: creates {@link Topics#specs()} on {@code BANK_BOOTSTRAP_SERVERS}; the exit status. */
    private static int topics(Map<String, String> env) {
        try {
            String bootstrap = LauncherConfig.fromEnv(env).bootstrapServers();
            List<String> created = TopicCreator.createAll(bootstrap, KafkaSecurity.fromEnv(env),
                    Topics.fromEnv(env).specs(), TOPIC_TIMEOUT);
            System.out.println("topics on " + bootstrap + ": created " + created);
            return 0;
        } catch (RuntimeException e) {
            log.error("bank topics failed: {}", e.toString(), e);
            return 1;
        }
    }

    /**
     * {@code bank acls}: as the Kafka user of {@code BANK_KAFKA_*} (a super user), sets the SCRAM credentials of
     * the roles whose password files are given and creates every role's ACLs ({@link KafkaAcls}); the exit status.
     * Safe to re-run: credentials are replaced, existing ACLs kept.
     */
    public static int acls(Map<String, String> env) {
        try {
            String bootstrap = LauncherConfig.fromEnv(env).bootstrapServers();
            KafkaAcls.Roles roles = KafkaAcls.Roles.fromEnv(env);
            String applicationId = ProcessorConfig.fromEnv(env).applicationId();
            List<org.apache.kafka.common.acl.AclBinding> bindings =
                    KafkaAcls.bindings(Topics.fromEnv(env), applicationId, roles);
            try (org.apache.kafka.clients.admin.Admin admin =
                         TopicCreator.admin(bootstrap, KafkaSecurity.fromEnv(env), TOPIC_TIMEOUT)) {
                List<String> users = KafkaAcls.upsertScramUsers(admin, roles, env, TOPIC_TIMEOUT);
                KafkaAcls.create(admin, bindings, TOPIC_TIMEOUT);
                System.out.println("acls on " + bootstrap + ": SCRAM credentials set for " + users + "; "
                        + bindings.size() + " ACLs for " + roles + " (application id " + applicationId + ")");
            }
            return 0;
        } catch (RuntimeException e) {
            log.error("bank acls failed: {}", e.toString(), e);
            return 1;
        }
    }

    private void local(LauncherConfig config, Map<String, String> env) throws InterruptedException {
        // the gateway trusts the tokens of the local signing key, made on first start under the data directory; its
        // own broker listens in PLAINTEXT on loopback only, whatever BANK_KAFKA_* says
        LocalIssuer issuer = LocalIssuer.inDirectory(config.dataDir());
        LocalBank bank = LocalBank.start(new LocalBank.Options(config.dataDir(), env, config.kafkaPort(),
                config.controllerPort(), 1, issuer, gateway -> gateway, PROCESSOR_RUNNING_TIMEOUT, false, null), this::add);
        EmbeddedBroker broker = bank.broker();
        String bootstrap = bank.bootstrapServers();
        ProcessorApp processor = bank.processors().get(0);
        GatewayApp gateway = bank.gateway();
        NotifierApp notifier = bank.notifier();
        PrintStream out = System.out;
        out.println();
        out.println("bank is running locally (data in " + config.dataDir() + ")");
        out.println("  Kafka broker     " + bootstrap + "  (controller 127.0.0.1:" + broker.controllerPort()
                + ", cluster " + broker.clusterId() + ")");
        out.println("  processor query  " + processor.queryUrl());
        out.println("  REST gateway     http://localhost:" + gateway.port());
        if (notifier != null) {
            out.println("  notifier         http://" + notifier.config().bindHost() + ":" + notifier.port()
                    + "  (webhooks; /health, /metrics; targets allowed despite the SSRF rules: "
                    + notifier.config().allowList() + ")");
        }
        out.println();
        out.println("Tokens for the walk-through (" + LOCAL_TOKEN_TTL.toHours() + " h; more with ./bank token --sub NAME):");
        out.println("  export ALICE='" + issuer.token("alice", List.of(Scope.READ, Scope.WRITE), LOCAL_TOKEN_TTL)
                + "'   # customer alice: bank:read bank:write");
        out.println("  export ADMIN='" + issuer.token("admin", List.of(Scope.READ, Scope.WRITE, Scope.ADMIN),
                LOCAL_TOKEN_TTL) + "'   # an admin: bank:read bank:write bank:admin");
        out.println();
        out.println("Ctrl-C stops everything; data is kept for the next start.");
        out.println();
    }

    /** How long the tokens 'local' prints are valid. */
    static final Duration LOCAL_TOKEN_TTL = Duration.ofHours(12);

    private void broker(LauncherConfig config, Map<String, String> env) {
        EmbeddedBroker.Node node = config.node();
        EmbeddedBroker broker;
        if (node.clusterSize() == 1) {
            broker = startBroker(config, env);
        } else {
            // one node of several: the topics need the others (their replicas), so 'bank topics' creates them once
            // the cluster is up, as compose's topics service does; a node restarted later must not wait for that
            broker = add("Kafka broker", EmbeddedBroker.start(config.dataDir(), config.kafkaPort(),
                    config.controllerPort(), node));
        }
        System.out.println();
        System.out.println("Kafka broker node " + node.nodeId() + " on " + broker.bootstrapServers() + " (controller "
                + node.host() + ":" + broker.controllerPort() + ", cluster " + broker.clusterId() + " of "
                + node.clusterSize() + " node(s), data in " + broker.logDir() + "); Ctrl-C stops it.");
        if (node.clusterSize() > 1) {
            System.out.println("Create the topics once every node is up: BANK_BOOTSTRAP_SERVERS=" + broker.bootstrapServers()
                    + " BANK_TOPIC_REPLICATION=" + Math.min(3, node.clusterSize()) + " ./bank topics");
        }
        System.out.println();
    }

    private void processor(LauncherConfig config, Map<String, String> env) throws InterruptedException {
        ProcessorApp processor = startProcessor(config, env, config.bootstrapServers(), KafkaSecurity.fromEnv(env));
        System.out.println("processor query API on " + processor.queryUrl() + " (Kafka "
                + config.bootstrapServers() + "); Ctrl-C stops it.");
    }

    private void gateway(LauncherConfig config, Map<String, String> env) {
        GatewayApp gateway = add("gateway", GatewayApp.start(GatewayConfig.fromEnv(env)
                .withBootstrapServers(config.bootstrapServers())));
        System.out.println("REST gateway on http://localhost:" + gateway.port() + " (Kafka "
                + config.bootstrapServers() + "); Ctrl-C stops it.");
    }

    private void notifier(LauncherConfig config, Map<String, String> env) {
        NotifierApp notifier = add("notifier", NotifierApp.start(NotifierConfig.fromEnv(env)
                .withBootstrapServers(config.bootstrapServers())));
        System.out.println("webhook notifier, health and metrics on http://" + notifier.config().bindHost() + ":"
                + notifier.port() + " (Kafka " + config.bootstrapServers() + "); Ctrl-C stops it.");
    }

    private EmbeddedBroker startBroker(LauncherConfig config, Map<String, String> env) {
        EmbeddedBroker broker = add("Kafka broker",
                EmbeddedBroker.start(config.dataDir(), config.kafkaPort(), config.controllerPort(), config.node()));
        TopicCreator.createAll(broker.bootstrapServers(), Topics.fromEnv(env).specs(), TOPIC_TIMEOUT);
        return broker;
    }

    private ProcessorApp startProcessor(LauncherConfig config, Map<String, String> env, String bootstrap,
                                        KafkaSecurity security) throws InterruptedException {
        ProcessorConfig pc = ProcessorConfig.fromEnv(env).withBootstrapServers(bootstrap).withKafkaSecurity(security);
        if (env.get("BANK_STATE_DIR") == null) {
            pc = pc.withStateDir(config.streamsDir());
        }
        ProcessorApp processor = add("processor", ProcessorApp.start(pc));
        if (!processor.awaitRunning(PROCESSOR_RUNNING_TIMEOUT)) {
            log.warn("processor not RUNNING after {}s (state {}); carrying on, it keeps trying",
                    PROCESSOR_RUNNING_TIMEOUT.toSeconds(), processor.state());
        }
        return processor;
    }

    private synchronized <T extends AutoCloseable> T add(String name, T component) {
        if (closing) {
            // shutdown began while this was starting: stop it at once and abandon the start-up
            closeQuietly(name, component);
            throw new IllegalStateException("shutting down");
        }
        started.push(Map.entry(name, component));
        return component;
    }

    /** Closes everything started, last started first. Safe to call more than once. */
    private synchronized void closeAll() {
        closing = true;
        if (!started.isEmpty()) {
            log.info("shutting down");
        }
        while (!started.isEmpty()) {
            Map.Entry<String, AutoCloseable> entry = started.pop();
            closeQuietly(entry.getKey(), entry.getValue());
        }
    }

    private static void closeQuietly(String name, AutoCloseable component) {
        try {
            component.close();
        } catch (Exception e) {
            log.warn("closing {} failed", name, e);
        }
    }
}
