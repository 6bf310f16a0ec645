package dev.bank.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.launcher.EmbeddedBroker;
import dev.bank.launcher.Main;
import dev.bank.launcher.TopicCreator;
import dev.bank.observability.KafkaSecurity;
import dev.bank.processor.ProcessorApp;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka security on a real broker: the project's {@link EmbeddedBroker} with the compose deployment's settings
 * (SASL_PLAINTEXT, SCRAM-SHA-512 for the services, PLAIN for the super user on the inter-broker and controller
 * listeners, StandardAuthorizer, {@code allow.everyone.if.no.acl.found=false}), the roles' users and ACLs set by
 * the real {@code bank acls}. Each role can do its job (the real processor and gateway serve a request end to
 * end) and nothing more: every denial is the specific authorization exception Kafka raises.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaAclIT {

    private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Topics TOPICS = Topics.defaults();

    @TempDir
    static Path dir;

    private static EmbeddedBroker broker;
    private static String clients; // the SCRAM listener the services use
    private static final Map<String, String> passwords = new HashMap<>();
    private static ProcessorApp processor;
    private static GatewayApp gateway;
    private static dev.bank.notifier.NotifierApp notifier;
    private static com.sun.net.httpserver.HttpServer receiver;

    /** Every log event of the run (Kafka's own config dumps included), to show no password reaches a log. */
    private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    static void startASecuredBrokerAndApplyTheRoles() throws Exception {
        logs.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        passwords.put("admin", ADMIN_PASSWORD);
        int internalPort = BankStack.freePort();
        int clientPort = BankStack.freePort();
        int controllerPort = BankStack.freePort();
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\""
                + ADMIN_PASSWORD + "\" user_admin=\"" + ADMIN_PASSWORD + "\";";
        Map<String, String> secured = new HashMap<>();
        secured.put("listeners", "INTERNAL://127.0.0.1:" + internalPort + ",CLIENT://127.0.0.1:" + clientPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        secured.put("advertised.listeners", "INTERNAL://127.0.0.1:" + internalPort + ",CLIENT://127.0.0.1:" + clientPort);
        secured.put("listener.security.protocol.map",
                "INTERNAL:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT");
        secured.put("inter.broker.listener.name", "INTERNAL");
        secured.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        secured.put("sasl.mechanism.controller.protocol", "PLAIN");
        secured.put("listener.name.internal.sasl.enabled.mechanisms", "PLAIN");
        secured.put("listener.name.internal.plain.sasl.jaas.config", plain);
        secured.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        secured.put("listener.name.controller.plain.sasl.jaas.config", plain);
        secured.put("listener.name.client.sasl.enabled.mechanisms", "SCRAM-SHA-512");
        secured.put("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        secured.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        secured.put("super.users", "User:admin");
        secured.put("allow.everyone.if.no.acl.found", "false");
        KafkaSecurity admin = new KafkaSecurity(KafkaSecurity.Protocol.SASL_PLAINTEXT, "PLAIN", "admin", ADMIN_PASSWORD);
        broker = EmbeddedBroker.start(dir.resolve("broker"), internalPort, controllerPort, secured, admin);
        clients = "127.0.0.1:" + clientPort;
        TopicCreator.createAll(broker.bootstrapServers(), admin, TOPICS.specs(), TIMEOUT);

        // bank acls, as the compose topics job runs it: passwords from files, admin credentials from the env
        Map<String, String> env = new HashMap<>(Map.of(
                "BANK_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "BANK_KAFKA_SASL_MECHANISM", "PLAIN",
                "BANK_KAFKA_USERNAME", "admin",
                "BANK_KAFKA_PASSWORD", ADMIN_PASSWORD));
        for (String role : List.of("gateway", "processor", "upstream", "monitor", "notifier")) {
            String password = role + "-" + UUID.randomUUID();
            passwords.put(role, password);
            Path file = Files.writeString(dir.resolve(role + ".password"), password + "\n");
            env.put("BANK_ACL_" + role.toUpperCase() + "_PASSWORD_FILE", file.toString());
        }
        assertThat(Main.acls(env)).as("bank acls exit status").isZero();
        // a new SCRAM credential reaches the broker's cache through the metadata log, a moment after the controller
        for (String role : List.of("gateway", "processor", "upstream", "monitor", "notifier")) {
            await().atMost(TIMEOUT).ignoreExceptions().until(() -> {
                try (Admin a = Admin.create(as(role, Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, clients)))) {
                    return !a.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
                }
            });
        }
        // a second run changes nothing and fails on nothing
        try (Admin a = Admin.create(admin.withClientProperties(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers())))) {
            int before = a.describeAcls(AclBindingFilter.ANY).values().get().size();
            assertThat(Main.acls(env)).isZero();
            assertThat(a.describeAcls(AclBindingFilter.ANY).values().get()).hasSize(before);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void noPasswordAppearsInAnyLogLine() {
        assertThat(logs.list).as("log events captured").isNotEmpty();
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            String line = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            for (String password : passwords.values()) {
                assertThat(line).as("a log line of %s", event.getLoggerName()).doesNotContain(password);
            }
        }
    }

    @AfterAll
    static void stop() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        if (notifier != null) notifier.close();
        if (receiver != null) receiver.stop(0);
        if (gateway != null) gateway.close();
        if (processor != null) processor.close();
        if (broker != null) broker.close();
    }

    @Test
    @Order(1)
    void theProcessorAndTheGatewayServeARequestWithTheirOwnPrincipalsAndTheMonitorSeesIt() throws Exception {
        // a tick every second, so the processor's own interest ticks (to its internal topic) are under the ACLs too;
        // any first transfer to a payee held for review, so a fraud alert is written under them as well
        processor = ProcessorApp.start(ProcessorConfig.fromEnv(env("processor", Map.of(
                        "BANK_QUERY_HOST", "127.0.0.1", "BANK_INTEREST_TICK_INTERVAL", "PT1S",
                        "BANK_FRAUD_NEW_PAYEE_AMOUNT", "1")))
                .withStateDir(dir.resolve("streams")).withQueryPort(BankStack.freePort()));
        assertThat(processor.awaitRunning(Duration.ofSeconds(60))).as("processor RUNNING").isTrue();
        gateway = GatewayApp.start(BankStack.secured(GatewayConfig.fromEnv(env("gateway",
                        Map.of("BANK_GATEWAY_BIND_HOST", "127.0.0.1", "BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"))))
                .withPort(0).withProcessorUrls(List.of(processor.queryUrl())).withOutcomeTimeout(Duration.ofSeconds(30)));
        await().atMost(TIMEOUT).until(gateway::ready);

        var opened = BankStack.rest(gateway.port())
                .post("/accounts", "{\"accountId\":\"acl-alice\",\"currency\":\"EUR\",\"initialDeposit\":\"10.00\"}",
                        "open-acl-alice");
        assertThat(opened.status()).as("the outcome came back through bank.replies: %s", opened.body()).isEqualTo(201);
        assertThat(BankStack.rest(gateway.port()).post("/accounts", "{\"accountId\":\"acl-bob\",\"currency\":\"EUR\"}",
                "open-acl-bob").status()).isEqualTo(201);
        var held = BankStack.rest(gateway.port()).post("/transfers", "{\"fromAccountId\":\"acl-alice\","
                + "\"toAccountId\":\"acl-bob\",\"amount\":\"5.00\"}", "acl-pay-1");
        assertThat(held.status()).as("held for review: %s", held.body()).isEqualTo(202);
        assertThat(held.text("status")).isEqualTo("IN_REVIEW");

        try (Admin a = Admin.create(as("processor", Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, clients)))) {
            assertThat(a.listTopics().names().get()).as("changelogs Streams created under its prefix")
                    .anyMatch(t -> t.startsWith("bank-processor-") && t.endsWith("-changelog"));
        }
        assertThat(readAsMonitor(TOPICS.ledger(), "monitor-audit", "open-acl-alice"))
                .as("the opening deposit's ledger entry").isNotEmpty();
        assertThat(readAsMonitor(TOPICS.results(), "monitor-dashboard", "open-acl-alice"))
                .as("the outcome").isNotEmpty();
        assertThat(readAsMonitor(TOPICS.fraudAlerts(), "monitor-fraud-desk", "acl-pay-1"))
                .as("the fraud alert the processor wrote").isNotEmpty();
        assertThat(readAsMonitor(TOPICS.accountEvents(), "monitor-events", "open-acl-alice"))
                .as("the opening deposit's account event the processor wrote").isNotEmpty();
        // and its interest ticks went through: ticks were sent, and no stream thread failed on an ACL
        Http query = BankStack.query(processor.queryUrl());
        try (Admin a = Admin.create(as("processor", Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, clients)))) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends =
                    new HashMap<>();
            for (int p = 0; p < TOPICS.partitions(); p++) {
                ends.put(new org.apache.kafka.common.TopicPartition(TOPICS.rerouted(), p),
                        org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            await().atMost(TIMEOUT).until(() -> a.listOffsets(ends).all().get().values().stream()
                    .mapToLong(org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo::offset)
                    .sum() > 0);
        }
        assertThat(query.raw("/metrics")).containsPattern("bank_stream_thread_failures_total\\{[^}]*\\} 0\\.0");
        assertThat(query.get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void theNotifierDeliversAWebhookUnderItsOwnPrincipalFromASubscriptionTheGatewayWrote() throws Exception {
        List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(
                java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            ids.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        notifier = dev.bank.notifier.NotifierApp.start(dev.bank.notifier.NotifierConfig.fromEnv(env("notifier", Map.of(
                "BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1", "BANK_NOTIFIER_PORT", "0"))));
        assertThat(notifier.awaitReady(Duration.ofSeconds(60))).as("the notifier reads subscriptions and events").isTrue();
        Http customer = BankStack.rest(gateway.port());
        var subscribed = customer.post("/webhooks", "{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\",\"accountIds\":[\"acl-alice\"]}");
        assertThat(subscribed.status()).as("the gateway wrote bank.webhooks: %s", subscribed.body()).isEqualTo(201);
        passwords.put("webhook secret", subscribed.text("secret"));
        assertThat(customer.post("/transaction", "{\"accountId\":\"acl-alice\",\"type\":\"credit\",\"amount\":\"1\"}",
                "acl-hook-credit").status()).isEqualTo(200);
        await().atMost(TIMEOUT).until(() -> ids.stream().anyMatch(id -> id != null && id.startsWith("acl-alice:")));
        assertThat(customer.post("/webhooks/" + subscribed.text("id") + "/replay", "").status())
                .as("the gateway wrote bank.webhooks.replays").isEqualTo(202);
        assertThat(notifier.problem()).isNull();
    }

    @Test
    void theNotifierReadsEventsSubscriptionsAndReplaysInItsGroupsAndWritesOnlyItsDeadLetters() {
        assertThat(groupReadError("notifier", TOPICS.accountEvents(), "bank-notifier-" + UUID.randomUUID())).isNull();
        assertThat(groupReadError("notifier", TOPICS.accountEvents(), "monitor-" + UUID.randomUUID()))
                .isInstanceOf(GroupAuthorizationException.class);
        assertThat(readError("notifier", TOPICS.webhooks())).isNull();
        assertThat(readError("notifier", TOPICS.webhookDeadLetters())).isNull();
        for (String topic : List.of(TOPICS.commands(), TOPICS.ledger(), TOPICS.results(), TOPICS.fraudAlerts())) {
            assertThat(readError("notifier", topic)).as("reading %s", topic).isInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(writeError("notifier", TOPICS.webhookDeadLetters())).isNull();
        for (String topic : List.of(TOPICS.commands(), TOPICS.accountEvents(), TOPICS.webhooks(),
                TOPICS.webhookReplays())) {
            assertThat(writeError("notifier", topic, false)).as("writing %s", topic)
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void onlyTheGatewayAndTheNotifierReadTheSubscriptionsWhoseSecretsSignTheWebhooks() {
        for (String role : List.of("monitor", "upstream", "processor")) {
            assertThat(readError(role, TOPICS.webhooks())).as("%s reading the subscriptions", role)
                    .isInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(readError("gateway", TOPICS.webhookDeadLetters())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(readError("gateway", TOPICS.webhookReplays())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(writeError("gateway", TOPICS.webhookDeadLetters(), false)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(writeError("upstream", TOPICS.webhooks(), false)).isInstanceOf(TopicAuthorizationException.class);
        assertThat(readError("monitor", TOPICS.webhookDeadLetters())).as("operators see the dead letters").isNull();
    }

    @Test
    void theGatewayReadsRepliesButWritesNoneAndTheProcessorWritesThem() {
        assertThat(readError("gateway", TOPICS.replies())).isNull();
        assertThat(writeError("gateway", TOPICS.replies())).as("a reply comes only from the processor")
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(readError("gateway", TOPICS.results()))
                .as("a gateway needs the answers to its own requests only, not every outcome")
                .isInstanceOf(TopicAuthorizationException.class);
        for (String role : List.of("upstream", "monitor", "notifier")) {
            assertThat(readError(role, TOPICS.replies())).as("%s reading the replies", role)
                    .isInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(writeError("upstream", TOPICS.replies())).isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void theGatewayCanNeitherReadCommandsNorWriteResultsNorUseTheProcessorsTransactions() {
        assertThat(readError("gateway", TOPICS.commands())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(readError("gateway", TOPICS.ledger())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(writeError("gateway", TOPICS.results())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(writeError("gateway", TOPICS.ledger())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(writeError("gateway", TOPICS.accountEvents())).as("only the processor tells what happened")
                .isInstanceOf(TopicAuthorizationException.class);
        // fraud alerts name rules and thresholds: not for the service that answers customers
        assertThat(readError("gateway", TOPICS.fraudAlerts())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(transactionError("gateway", "bank-processor-forged-0"))
                .isInstanceOf(TransactionalIdAuthorizationException.class);
    }

    @Test
    void anUpstreamProducerCanWriteCommandsAndNothingElse() throws Exception {
        assertThat(writeError("upstream", TOPICS.commands())).isNull();
        for (String topic : List.of(TOPICS.results(), TOPICS.ledger(), TOPICS.transferLegs(), TOPICS.deadLetter(),
                TOPICS.rerouted(), TOPICS.fraudAlerts(), TOPICS.accountEvents())) {
            assertThat(writeError("upstream", topic)).as("writing %s", topic).isInstanceOf(TopicAuthorizationException.class);
        }
        for (String topic : List.of(TOPICS.commands(), TOPICS.results(), TOPICS.ledger(), TOPICS.fraudAlerts(),
                TOPICS.accountEvents())) {
            assertThat(readError("upstream", topic)).as("reading %s", topic).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    @Test
    void theMonitorReadsResultsAndLedgerOnlyInItsOwnGroupsAndWritesNothing() {
        assertThat(readError("monitor", TOPICS.commands())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(readError("monitor", TOPICS.transferLegs())).isInstanceOf(TopicAuthorizationException.class);
        assertThat(groupReadError("monitor", TOPICS.results(), "bank-processor"))
                .as("joining the processor's group").isInstanceOf(GroupAuthorizationException.class);
        assertThat(groupReadError("monitor", TOPICS.results(), "audit"))
                .as("a group without the monitor- prefix").isInstanceOf(GroupAuthorizationException.class);
        assertThat(groupReadError("monitor", TOPICS.results(), "monitor-" + UUID.randomUUID())).isNull();
        // with WRITE on no topic at all, an idempotent producer (the default) is refused its producer id, or the
        // topic, whichever request gets there first (the send may then report the producer's resulting error state,
        // caused by the refusal)
        Throwable refused = writeError("monitor", TOPICS.results());
        assertThat(causes(refused)).as("%s", refused).anyMatch(AuthorizationException.class::isInstance);
        for (String topic : List.of(TOPICS.commands(), TOPICS.results(), TOPICS.ledger(), TOPICS.fraudAlerts())) {
            assertThat(writeError("monitor", topic, false)).as("writing %s", topic)
                    .isInstanceOf(TopicAuthorizationException.class);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) chain.add(c);
        return chain;
    }

    /** The environment a service of this role gets in compose, pointed at the SCRAM listener. */
    private static Map<String, String> env(String role, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(more);
        env.put("BANK_BOOTSTRAP_SERVERS", clients);
        env.put("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
        env.put("BANK_KAFKA_USERNAME", role);
        env.put("BANK_KAFKA_PASSWORD_FILE", dir.resolve(role + ".password").toString());
        env.put("BANK_SERVICE_TOKEN", BankStack.SERVICE_TOKEN);
        return env;
    }

    private static Map<String, Object> as(String role, Map<String, Object> config) {
        return KafkaSecurity.scram(role, passwords.get(role)).withClientProperties(config);
    }

    private static Map<String, Object> consumerConfig(String role, String group) {
        Map<String, Object> c = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, clients,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
        if (group != null) c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return as(role, c);
    }

    /** What reading partition 0 of {@code topic} without a group raises, or null when it reads. */
    private static Throwable readError(String role, String topic) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(role, null),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.poll(Duration.ofSeconds(3));
            return null;
        } catch (KafkaException e) {
            return e;
        }
    }

    /** What reading {@code topic} in consumer group {@code group} raises, or null when it reads. */
    private static Throwable groupReadError(String role, String topic, String group) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(role, group),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200));
            }
            return consumer.assignment().isEmpty() ? new AssertionError("never joined " + group) : null;
        } catch (KafkaException e) {
            return e;
        }
    }

    /** The records of {@code topic} holding {@code text}, read as the monitor in {@code group}, awaited. */
    private static List<ConsumerRecord<String, String>> readAsMonitor(String topic, String group, String text) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig("monitor", group),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(TIMEOUT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value().contains(text)) records.add(r);
                });
                return !records.isEmpty();
            });
            consumer.commitSync(); // a monitor- group may keep its position
        }
        return records;
    }

    /** What producing one record to {@code topic} raises, or null when it is acknowledged. */
    private static Throwable writeError(String role, String topic) {
        return writeError(role, topic, true);
    }

    private static Throwable writeError(String role, String topic, boolean idempotent) {
        Map<String, Object> config = as(role, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, clients,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "acl-probe", "{}")).get(15, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (KafkaException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("writing " + topic + " as " + role, e);
        }
    }

    /** What starting a transactional producer with {@code transactionalId} raises, or null when it starts. */
    private static Throwable transactionError(String role, String transactionalId) {
        Map<String, Object> config = as(role, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, clients,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId, ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            producer.initTransactions();
            return null;
        } catch (KafkaException e) {
            return e;
        }
    }
}
