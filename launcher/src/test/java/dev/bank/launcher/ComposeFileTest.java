package dev.bank.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks {@code docker-compose.yml} and the {@code Dockerfile} without a Docker engine: the compose file parses,
 * has the deployment docs/operations.md describes (3 KRaft brokers with replication 3 and min ISR 2, two or more
 * processors with standby replicas, the gateway, health checks on every long-running service), its Kafka
 * settings agree with each other, and every {@code BANK_*} variable it sets is one the services read, meaning
 * it appears as a string literal in some module's main Java sources (so a renamed or misspelt variable, which
 * the services would silently ignore, fails the build).
 */
class ComposeFileTest {

    private static final Pattern BANK_LITERAL = Pattern.compile("\"(BANK_[A-Z0-9_]+)\"");
    /** A variable the logging configuration reads: {@code ${BANK_LOG_FORMAT:-text}}. */
    private static final Pattern BANK_LOGBACK_VARIABLE = Pattern.compile("\\$\\{(BANK_[A-Z0-9_]+)(:-[^}]*)?}");
    private static final String KAFKA_IMAGE = "apache/kafka:";
    /** The one-shot jobs that log in as the Kafka super user. */
    private static final Set<String> SET_UP_JOBS = Set.of("topics", "acls");

    private static Path root;
    private static JsonNode compose;
    private static Map<String, JsonNode> services;
    private static Set<String> variablesRead;

    @BeforeAll
    static void load() throws IOException {
        root = repoRoot();
        compose = new ObjectMapper(new YAMLFactory()).readTree(root.resolve("docker-compose.yml").toFile());
        services = new LinkedHashMap<>();
        compose.path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
        variablesRead = bankVariablesInMainSources(root);
    }

    @Test
    void everyBankVariableSetIsOneTheServicesRead() {
        assertThat(variablesRead).as("BANK_* literals found in */src/main/java")
                .contains("BANK_BOOTSTRAP_SERVERS", "BANK_QUERY_HOST", "BANK_PROCESSOR_URLS");
        for (String name : bankServices()) {
            Map<String, String> env = env(name);
            assertThat(env).as("%s sets its settings in environment:", name).isNotEmpty();
            for (String variable : env.keySet()) {
                assertThat(variable).as("variable %s of service %s", variable, name).startsWith("BANK_");
                assertThat(variablesRead).as("%s (service %s) is read by no module's main sources", variable, name)
                        .contains(variable);
            }
        }
    }

    @Test
    void threeKraftBrokersWithReplicationThreeAndMinIsrTwo() {
        List<String> brokers = brokers();
        assertThat(brokers).hasSize(3);
        Set<String> nodeIds = new HashSet<>();
        Set<String> clusterIds = new HashSet<>();
        Set<String> voterSettings = new HashSet<>();
        for (String name : brokers) {
            JsonNode service = services.get(name);
            Map<String, String> env = env(name);
            assertThat(service.path("image").asText()).as("%s image", name).startsWith(KAFKA_IMAGE);
            assertThat(imageVersionAtLeast(service.path("image").asText(), 4, 1)).as("%s image is 4.1 or newer", name)
                    .isTrue();
            for (String variable : env.keySet()) {
                assertThat(variable.startsWith("KAFKA_") || variable.equals("CLUSTER_ID"))
                        .as("%s sets %s, not an apache/kafka image variable", name, variable).isTrue();
            }
            assertThat(Set.of(env.get("KAFKA_PROCESS_ROLES").split(","))).as("%s roles", name)
                    .containsExactlyInAnyOrder("broker", "controller");
            assertThat(env).as(name)
                    .containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                    .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                    .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2");
            assertThat(nodeIds.add(env.get("KAFKA_NODE_ID"))).as("%s node id %s is unique", name,
                    env.get("KAFKA_NODE_ID")).isTrue();
            clusterIds.add(env.get("CLUSTER_ID"));
            voterSettings.add(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));

            // listeners: every name has a protocol, the controller and inter-broker listeners exist
            Map<String, String> listeners = listeners(env.get("KAFKA_LISTENERS"));
            Map<String, String> advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS"));
            Set<String> protocolNames = listeners(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")
                    .replace(":", "://")).keySet();
            assertThat(protocolNames).as("%s protocol map", name).containsAll(listeners.keySet());
            assertThat(listeners).as("%s listeners", name)
                    .containsKeys(env.get("KAFKA_CONTROLLER_LISTENER_NAMES"), env.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
            assertThat(advertised).as("%s advertised listeners", name)
                    .doesNotContainKey(env.get("KAFKA_CONTROLLER_LISTENER_NAMES"))
                    .containsEntry(env.get("KAFKA_INTER_BROKER_LISTENER_NAME"),
                            hostOf(name) + ":" + port(listeners.get(env.get("KAFKA_INTER_BROKER_LISTENER_NAME"))));
            assertThat(listeners.keySet()).as("%s advertises only listeners it has", name)
                    .containsAll(advertised.keySet());

            // data on a named volume at KAFKA_LOG_DIRS
            assertThat(namedVolumeMounts(name)).as("%s volumes", name).containsValue(env.get("KAFKA_LOG_DIRS"));
        }
        assertThat(clusterIds).as("one CLUSTER_ID for all brokers").hasSize(1);
        assertThat(Base64.getUrlDecoder().decode(clusterIds.iterator().next())).as("CLUSTER_ID is a base64 UUID")
                .hasSize(16);
        assertThat(voterSettings).as("the same quorum voters on all brokers").hasSize(1);

        // the voters are exactly the three brokers, id@host:controller-port
        Set<String> expectedVoters = new TreeSet<>();
        for (String name : brokers) {
            Map<String, String> env = env(name);
            String controllerPort = port(listeners(env.get("KAFKA_LISTENERS")).get(env.get("KAFKA_CONTROLLER_LISTENER_NAMES")));
            expectedVoters.add(env.get("KAFKA_NODE_ID") + "@" + hostOf(name) + ":" + controllerPort);
        }
        assertThat(new TreeSet<>(List.of(voterSettings.iterator().next().split(","))))
                .as("KAFKA_CONTROLLER_QUORUM_VOTERS").isEqualTo(expectedVoters);
    }

    @Test
    void servicesUseTheScramClientListenerAndOnlyTheSetUpJobsTheSuperUsersListener() {
        Map<String, String> plainAdmin = new HashMap<>();
        Map<String, String> scram = new HashMap<>();
        for (String broker : brokers()) {
            Map<String, String> env = env(broker);
            Map<String, String> advertised = listeners(env.get("KAFKA_ADVERTISED_LISTENERS"));
            advertised.forEach((listener, address) -> {
                String mechanisms = env.get("KAFKA_LISTENER_NAME_" + listener + "_SASL_ENABLED_MECHANISMS");
                if ("PLAIN".equals(mechanisms)) plainAdmin.merge(listener, address, (a, b) -> a + "," + b);
                if ("SCRAM-SHA-512".equals(mechanisms)) scram.merge(listener, address, (a, b) -> a + "," + b);
            });
        }
        Set<String> scramClientAddresses = Set.of(scram.get("CLIENT").split(","));
        Set<String> adminAddresses = Set.of(plainAdmin.get("INTERNAL").split(","));
        for (String name : bankServices()) {
            Set<String> bootstrap = Set.of(env(name).get("BANK_BOOTSTRAP_SERVERS").split(","));
            if (SET_UP_JOBS.contains(command(name))) {
                assertThat(bootstrap).as("%s BANK_BOOTSTRAP_SERVERS", name).isEqualTo(adminAddresses);
                assertThat(env(name)).as(name).containsEntry("BANK_KAFKA_SASL_MECHANISM", "PLAIN")
                        .containsEntry("BANK_KAFKA_USERNAME", "admin");
            } else {
                assertThat(bootstrap).as("%s BANK_BOOTSTRAP_SERVERS", name).isEqualTo(scramClientAddresses);
                assertThat(env(name)).as(name).containsEntry("BANK_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            }
        }
    }

    @Test
    void everyBrokerListenerAuthenticatesAndWhatNoAclAllowsIsDenied() {
        for (String name : brokers()) {
            Map<String, String> env = env(name);
            Map<String, String> protocols = listeners(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").replace(":", "://"));
            assertThat(protocols.values()).as("%s: no PLAINTEXT or SSL-only listener", name)
                    .allMatch(p -> p.equals("SASL_PLAINTEXT") || p.equals("SASL_SSL"));
            for (String listener : listeners(env.get("KAFKA_LISTENERS")).keySet()) {
                assertThat(env.get("KAFKA_LISTENER_NAME_" + listener + "_SASL_ENABLED_MECHANISMS"))
                        .as("%s listener %s mechanisms", name, listener).isIn("PLAIN", "SCRAM-SHA-512");
            }
            assertThat(env).as(name)
                    .containsEntry("KAFKA_AUTHORIZER_CLASS_NAME", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                    .containsEntry("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false")
                    .containsEntry("KAFKA_SUPER_USERS", "User:admin")
                    .containsEntry("KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL", "PLAIN")
                    .containsEntry("KAFKA_SASL_MECHANISM_CONTROLLER_PROTOCOL", "PLAIN");
            // the JAAS file the image requires for SASL is written from the admin secret, not committed
            assertThat(env.get("KAFKA_OPTS")).contains("-Djava.security.auth.login.config=");
            assertThat(secretsOf(name)).containsExactly("kafka-admin-password");
            assertThat(String.join(" ", commandLines(name))).contains("/run/secrets/kafka-admin-password")
                    .contains("exec /etc/kafka/docker/run");
        }
    }

    @Test
    void everyClientServiceLogsInAsItsOwnRoleWithAPasswordFromASecret() {
        Map<String, String> roleOf = Map.of("processor", "processor", "gateway", "gateway", "notifier", "notifier");
        for (String name : bankServices()) {
            Map<String, String> env = env(name);
            assertThat(env.get("BANK_KAFKA_SECURITY_PROTOCOL")).as("%s protocol", name).startsWith("SASL_");
            assertThat(env).as("%s: no password in the environment", name).doesNotContainKey("BANK_KAFKA_PASSWORD");
            String user = env.get("BANK_KAFKA_USERNAME");
            String expectedUser = SET_UP_JOBS.contains(command(name)) ? "admin" : roleOf.get(command(name));
            assertThat(user).as("%s BANK_KAFKA_USERNAME", name).isEqualTo(expectedUser);
            // every password file is a Docker secret this service (and only it, among the roles) is given
            env.forEach((variable, value) -> {
                if (variable.endsWith("_PASSWORD_FILE")) {
                    assertThat(value).as("%s %s", name, variable).startsWith("/run/secrets/");
                    assertThat(secretsOf(name)).as("%s secrets", name)
                            .contains(value.substring("/run/secrets/".length()));
                }
            });
            if (!SET_UP_JOBS.contains(command(name))) {
                // its own Kafka password, the query API's shared credential (those that use the query API), and (the
                // gateway) whose tokens to trust
                assertThat(secretsOf(name)).as("%s sees only its own password", name)
                        .filteredOn(secret -> secret.endsWith("-password")).containsExactly(user + "-password");
                if (command(name).equals("notifier")) {
                    assertThat(secretsOf(name)).as("the notifier needs no query API credential")
                            .doesNotContain("service-token");
                } else {
                    assertThat(secretsOf(name)).as("%s secrets", name).contains("service-token");
                    assertThat(env.get("BANK_SERVICE_TOKEN_FILE")).isEqualTo("/run/secrets/service-token");
                }
            }
        }
        // the set-up job that writes the ACLs sets every role's SCRAM password
        String acls = withCommand("acls").get(0);
        assertThat(env(acls)).containsKeys("BANK_ACL_GATEWAY_PASSWORD_FILE", "BANK_ACL_PROCESSOR_PASSWORD_FILE",
                "BANK_ACL_UPSTREAM_PASSWORD_FILE", "BANK_ACL_MONITOR_PASSWORD_FILE", "BANK_ACL_NOTIFIER_PASSWORD_FILE");
        // the ACLs grant the notifier's consumer groups by the group id the notifier uses
        for (String notifier : withCommand("notifier")) {
            assertThat(env(notifier).getOrDefault("BANK_NOTIFIER_GROUP_ID", "bank-notifier"))
                    .isEqualTo(env(acls).getOrDefault("BANK_NOTIFIER_GROUP_ID", "bank-notifier"));
        }
    }

    @Test
    void secretFilesAreGeneratedLocallyAndNeverCommitted() throws IOException {
        List<String> gitignore = Files.readAllLines(root.resolve(".gitignore"), StandardCharsets.UTF_8);
        assertThat(gitignore).contains("/secrets/*.password", "/secrets/*.jwk", "/secrets/local-issuer/");
        compose.path("secrets").fields().forEachRemaining(e -> {
            String file = e.getValue().path("file").asText();
            assertThat(file).as("secret %s", e.getKey()).startsWith("./secrets/").matches(".*\\.(password|jwk)");
        });
        assertThat(Files.isExecutable(root.resolve("secrets/generate.sh"))).isTrue();
        // no inline credentials anywhere in the file
        String text = Files.readString(root.resolve("docker-compose.yml"), StandardCharsets.UTF_8);
        assertThat(text).doesNotContainPattern("password=\\\"[A-Za-z0-9]").doesNotContainPattern("user_admin=\\\"[A-Za-z0-9]");
    }

    @Test
    void theRolesAreSetUpAfterTheTopicsAndBeforeAnyServiceStarts() {
        String acls = withCommand("acls").get(0);
        assertThat(services.get(acls).path("restart").asText()).isEqualTo("no");
        for (String name : bankServices()) {
            if (!SET_UP_JOBS.contains(command(name))) {
                assertThat(dependsOn(name)).as("%s waits for the ACLs", name)
                        .containsEntry(acls, "service_completed_successfully");
            }
        }
    }

    @Test
    void topicsAreCreatedOnceWithReplicationThreeBeforeAnythingUsesThem() {
        List<String> topicJobs = withCommand("topics");
        assertThat(topicJobs).hasSize(1);
        String topics = topicJobs.get(0);
        assertThat(env(topics)).containsEntry("BANK_TOPIC_REPLICATION", "3").containsKey("BANK_TOPIC_PARTITIONS");
        assertThat(services.get(topics).path("restart").asText("no")).isEqualTo("no");
        for (String broker : brokers()) {
            assertThat(dependsOn(topics)).containsEntry(broker, "service_healthy");
        }
        for (String name : bankServices()) {
            if (!name.equals(topics)) {
                assertThat(dependsOn(name)).as("%s waits for the topics", name)
                        .containsEntry(topics, "service_completed_successfully");
            }
            // everyone agrees on the topic layout (the processor and the gateway read Topics.fromEnv too)
            for (String variable : List.of("BANK_TOPIC_PARTITIONS", "BANK_TOPIC_REPLICATION")) {
                if (env(name).containsKey(variable)) {
                    assertThat(env(name).get(variable)).as("%s %s", name, variable).isEqualTo(env(topics).get(variable));
                }
            }
        }
    }

    @Test
    void twoOrMoreProcessorsWithStandbyReplicasEachWithItsOwnState() {
        List<String> processors = withCommand("processor");
        assertThat(processors).hasSizeGreaterThanOrEqualTo(2);
        Set<String> volumes = new HashSet<>();
        Set<String> applicationIds = new HashSet<>();
        for (String name : processors) {
            Map<String, String> env = env(name);
            assertThat(env).as(name).containsKey("BANK_STANDBY_REPLICAS");
            assertThat(Integer.parseInt(env.get("BANK_STANDBY_REPLICAS"))).as("%s standby replicas", name)
                    .isGreaterThanOrEqualTo(1);
            assertThat(env).as(name)
                    .containsEntry("BANK_INTERNAL_REPLICATION", "3")
                    .containsEntry("BANK_TOPIC_REPLICATION", "3")
                    .containsEntry("BANK_QUERY_HOST", hostOf(name));
            applicationIds.add(env.getOrDefault("BANK_APPLICATION_ID", "bank-processor"));
            // BANK_STATE_DIR lies on a named volume of its own
            String stateDir = env.get("BANK_STATE_DIR");
            assertThat(stateDir).as("%s BANK_STATE_DIR", name).isNotBlank();
            Map.Entry<String, String> mount = namedVolumeMounts(name).entrySet().stream()
                    .filter(m -> (stateDir + "/").startsWith(m.getValue().endsWith("/") ? m.getValue() : m.getValue() + "/"))
                    .findFirst().orElse(null);
            assertThat(mount).as("%s: a named volume holds %s", name, stateDir).isNotNull();
            assertThat(volumes.add(mount.getKey())).as("%s has its own volume %s", name, mount.getKey()).isTrue();
            assertThat(healthcheck(name)).as("%s healthcheck", name)
                    .contains("/health/ready").contains(":" + env.getOrDefault("BANK_QUERY_PORT", "8081"));
        }
        assertThat(applicationIds).as("one consumer group for all processors").hasSize(1);
    }

    @Test
    void theGatewayKnowsEveryProcessorAndIsPublished() {
        List<String> gateways = withCommand("gateway");
        assertThat(gateways).hasSize(1);
        String gateway = gateways.get(0);
        Map<String, String> env = env(gateway);
        Set<String> expected = withCommand("processor").stream()
                .map(p -> "http://" + hostOf(p) + ":" + env(p).getOrDefault("BANK_QUERY_PORT", "8081"))
                .collect(Collectors.toSet());
        assertThat(Set.of(env.get("BANK_PROCESSOR_URLS").split(","))).as("BANK_PROCESSOR_URLS of %s", gateway)
                .isEqualTo(expected);
        String port = env.getOrDefault("BANK_GATEWAY_PORT", "8080");
        List<String> ports = new ArrayList<>();
        services.get(gateway).path("ports").forEach(p -> ports.add(p.asText()));
        assertThat(ports).anyMatch(p -> p.endsWith(":" + port));
        assertThat(healthcheck(gateway)).contains(":" + port + "/health/ready");
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndEveryDependencyExists() {
        for (String name : services.keySet()) {
            boolean oneShot = services.get(name).path("restart").asText("").equals("no");
            if (!oneShot) {
                assertThat(healthcheck(name)).as("%s healthcheck", name).isNotBlank().doesNotContain("NONE");
                assertThat(services.get(name).path("healthcheck").path("disable").asBoolean(false)).isFalse();
            }
            assertThat(services.keySet()).as("%s depends_on", name).containsAll(dependsOn(name).keySet());
            for (JsonNode v : services.get(name).path("volumes")) {
                String source = v.asText().split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/")) {
                    assertThat(compose.path("volumes").has(source)).as("volume %s of %s is declared", source, name)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void bankServicesRunSubcommandsOfTheImagesMain() {
        for (String name : bankServices()) {
            String subcommand = command(name);
            assertThat(Main.USAGE).as("%s runs `%s`", name, subcommand).containsPattern("(?m)^\\s+" + subcommand + "\\s");
        }
    }

    @Test
    void everyFileMountedFromTheRepositoryExists() {
        for (String name : services.keySet()) {
            for (JsonNode v : services.get(name).path("volumes")) {
                String source = v.asText().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(root.resolve(source.substring(2))).as("%s mounts %s", name, source).exists();
                }
            }
        }
    }

    /**
     * Prometheus and Grafana (docs/operations.md, "Dashboards and alerts") start only with the profile
     * {@code monitoring}, from pinned images, on the host's loopback; Prometheus loads the mounted rules and scrapes
     * exactly the gateway and every processor of this file; Grafana takes its admin password from a secret that
     * generate.sh makes, and loads the mounted dashboard through the mounted provisioning.
     */
    @Test
    void theMonitoringProfileScrapesEveryBankServiceAndLoadsTheRulesAndTheDashboard() throws IOException {
        for (String name : bankServices()) {
            assertThat(services.get(name).has("profiles")).as("%s starts without a profile", name).isFalse();
        }
        JsonNode prometheus = services.get("prometheus");
        JsonNode grafana = services.get("grafana");
        assertThat(prometheus).as("a prometheus service").isNotNull();
        assertThat(grafana).as("a grafana service").isNotNull();
        for (String name : List.of("prometheus", "grafana")) {
            List<String> profiles = new ArrayList<>();
            services.get(name).path("profiles").forEach(p -> profiles.add(p.asText()));
            assertThat(profiles).as("%s profiles", name).containsExactly("monitoring");
            List<String> ports = new ArrayList<>();
            services.get(name).path("ports").forEach(p -> ports.add(p.asText()));
            assertThat(ports).as("%s is published on the host's loopback only", name).isNotEmpty()
                    .allMatch(p -> p.startsWith("127.0.0.1:"));
        }
        assertThat(prometheus.path("image").asText()).matches("prom/prometheus:v[0-9]+\\.[0-9]+\\.[0-9]+");
        assertThat(grafana.path("image").asText()).matches("grafana/grafana:[0-9]+\\.[0-9]+\\.[0-9]+");

        // Prometheus: its configuration and rules are the repository's, mounted where the configuration says
        Map<String, String> prometheusMounts = bindMounts("prometheus");
        List<String> args = new ArrayList<>();
        prometheus.path("command").forEach(a -> args.add(a.asText()));
        String configPath = args.stream().filter(a -> a.startsWith("--config.file=")).findFirst().orElseThrow()
                .substring("--config.file=".length());
        assertThat(prometheusMounts).as("prometheus mounts").containsEntry(configPath,
                "./observability/prometheus/prometheus.yml");
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(
                root.resolve("observability/prometheus/prometheus.yml").toFile());
        List<String> ruleFiles = new ArrayList<>();
        config.path("rule_files").forEach(f -> ruleFiles.add(f.asText()));
        assertThat(ruleFiles).isNotEmpty();
        for (String ruleFile : ruleFiles) {
            assertThat(prometheusMounts).as("rule file %s is mounted", ruleFile).containsKey(ruleFile);
        }
        assertThat(prometheusMounts.values()).contains("./observability/prometheus/alerts.yml");

        // and it scrapes the gateway and every processor at the address the gateway itself uses
        Map<String, Set<String>> targets = new HashMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            Set<String> jobTargets = new TreeSet<>();
            job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> jobTargets.add(t.asText())));
            targets.put(job.path("job_name").asText(), jobTargets);
        }
        Set<String> processors = withCommand("processor").stream()
                .map(p -> hostOf(p) + ":" + env(p).getOrDefault("BANK_QUERY_PORT", "8081")).collect(Collectors.toSet());
        assertThat(targets.get("bank-processor")).as("bank-processor targets: every processor service").isEqualTo(processors);
        Set<String> gateways = withCommand("gateway").stream()
                .map(g -> hostOf(g) + ":" + env(g).getOrDefault("BANK_GATEWAY_PORT", "8080")).collect(Collectors.toSet());
        assertThat(targets.get("bank-gateway")).as("bank-gateway targets").isEqualTo(gateways);
        Set<String> notifiers = withCommand("notifier").stream()
                .map(n -> hostOf(n) + ":" + env(n).getOrDefault("BANK_NOTIFIER_PORT", "8082")).collect(Collectors.toSet());
        assertThat(notifiers).as("compose runs a notifier").isNotEmpty();
        assertThat(targets.get("bank-notifier")).as("bank-notifier targets").isEqualTo(notifiers);
        for (String gateway : withCommand("gateway")) {
            assertThat(env(gateway).getOrDefault("BANK_METRICS_PUBLIC", "true"))
                    .as("%s /metrics is public: prometheus.yml gives the bank-gateway job no token", gateway)
                    .isEqualTo("true");
        }

        // Grafana: admin password from a generated secret, no anonymous access
        Map<String, String> grafanaEnv = new LinkedHashMap<>();
        grafana.path("environment").fields().forEachRemaining(e -> grafanaEnv.put(e.getKey(), e.getValue().asText()));
        assertThat(grafanaEnv).doesNotContainKey("GF_SECURITY_ADMIN_PASSWORD")
                .containsEntry("GF_AUTH_ANONYMOUS_ENABLED", "false");
        String passwordFile = grafanaEnv.get("GF_SECURITY_ADMIN_PASSWORD__FILE");
        assertThat(passwordFile).startsWith("/run/secrets/");
        String secret = passwordFile.substring("/run/secrets/".length());
        assertThat(secretsOf("grafana")).containsExactly(secret);
        String secretFile = compose.path("secrets").path(secret).path("file").asText();
        String user = secretFile.substring("./secrets/".length(), secretFile.length() - ".password".length());
        assertThat(Files.readString(root.resolve("secrets/generate.sh"), StandardCharsets.UTF_8))
                .as("generate.sh makes %s", secretFile).containsPattern("(?m)^for user in .*\\b" + user + "\\b");

        // the provisioning and the dashboard are the repository's, where the provisioning looks for them
        Map<String, String> grafanaMounts = bindMounts("grafana");
        assertThat(grafanaMounts)
                .containsEntry("/etc/grafana/provisioning/datasources", "./observability/grafana/provisioning/datasources")
                .containsEntry("/etc/grafana/provisioning/dashboards", "./observability/grafana/provisioning/dashboards");
        JsonNode provider = new ObjectMapper(new YAMLFactory()).readTree(
                root.resolve("observability/grafana/provisioning/dashboards/bank.yml").toFile()).path("providers").get(0);
        String dashboardDir = grafanaMounts.get(provider.path("options").path("path").asText());
        assertThat(dashboardDir).as("the provider's path is mounted").isNotNull();
        assertThat(root.resolve(dashboardDir.substring(2)).resolve("bank.json")).exists();
        JsonNode datasource = new ObjectMapper(new YAMLFactory()).readTree(
                root.resolve("observability/grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").get(0);
        assertThat(datasource.path("url").asText()).isEqualTo("http://" + hostOf("prometheus") + ":9090");
    }

    /** Bind mounts of a service: container path to the repository path mounted there. */
    private static Map<String, String> bindMounts(String name) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode v : services.get(name).path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts[0].startsWith("./")) mounts.put(parts[1], parts[0]);
        }
        return mounts;
    }

    @Test
    void dockerfileEntrypointMainClassExistsAndItsEnvIsRead() throws Exception {
        List<String> lines = Files.readAllLines(root.resolve("Dockerfile"), StandardCharsets.UTF_8);
        String entrypoint = lines.stream().filter(l -> l.startsWith("ENTRYPOINT")).reduce((a, b) -> b).orElseThrow();
        JsonNode args = new ObjectMapper().readTree(entrypoint.substring("ENTRYPOINT".length()).trim());
        assertThat(args.isArray()).as("exec-form ENTRYPOINT").isTrue();
        assertThat(args.get(0).asText()).isEqualTo("java");
        assertThat(args.get(1).asText()).isEqualTo("-cp");
        String classpath = args.get(2).asText();
        assertThat(classpath.split(":")).contains("/app/launcher.jar", "/app/lib/*");
        assertThat(lines).anyMatch(l -> l.startsWith("COPY") && l.trim().endsWith("/app/launcher.jar"))
                .anyMatch(l -> l.startsWith("COPY") && l.trim().matches(".*\\s/app/lib/?$"));
        Class<?> mainClass = Class.forName(args.get(3).asText());
        Method main = mainClass.getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers())).isTrue();
        for (String line : lines) {
            if (line.startsWith("ENV ")) {
                String variable = line.substring(4).trim().split("[=\\s]")[0];
                if (variable.startsWith("BANK_")) {
                    assertThat(variablesRead).as("Dockerfile ENV %s is read", variable).contains(variable);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
    }

    /**
     * Every {@code "BANK_..."} string literal in {@code <module>/src/main/java} of every module, and every
     * {@code ${BANK_...}} variable of a {@code logback.xml} in {@code <module>/src/main/resources}.
     */
    private static Set<String> bankVariablesInMainSources(Path root) throws IOException {
        Set<String> found = new TreeSet<>();
        List<Path> sourceRoots;
        try (Stream<Path> modules = Files.list(root)) {
            sourceRoots = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList();
        }
        assertThat(sourceRoots).as("module source roots under %s", root).isNotEmpty();
        for (Path sourceRoot : sourceRoots) {
            try (Stream<Path> files = Files.walk(sourceRoot)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = BANK_LITERAL.matcher(Files.readString(file, StandardCharsets.UTF_8));
                    while (m.find()) {
                        found.add(m.group(1));
                    }
                }
            }
            Path logback = sourceRoot.resolveSibling("resources").resolve("logback.xml");
            if (Files.exists(logback)) {
                Matcher m = BANK_LOGBACK_VARIABLE.matcher(Files.readString(logback, StandardCharsets.UTF_8));
                while (m.find()) {
                    found.add(m.group(1));
                }
            }
        }
        return found;
    }

    private static List<String> brokers() {
        return services.keySet().stream()
                .filter(n -> services.get(n).path("image").asText().startsWith(KAFKA_IMAGE)).toList();
    }

    /** Services running this project's image (built from the Dockerfile). */
    private static List<String> bankServices() {
        List<String> names = services.keySet().stream().filter(n -> services.get(n).has("build")).toList();
        assertThat(names).as("services built from the Dockerfile").isNotEmpty();
        return names;
    }

    private static List<String> withCommand(String subcommand) {
        return bankServices().stream().filter(n -> command(n).equals(subcommand)).toList();
    }

    private static String command(String name) {
        JsonNode command = services.get(name).path("command");
        return command.isArray() ? command.path(0).asText() : command.asText().trim().split("\\s+")[0];
    }

    /** The {@code environment:} of a service, in map or {@code KEY=VALUE} list form, values as strings. */
    private static Map<String, String> env(String name) {
        JsonNode environment = services.get(name).path("environment");
        Map<String, String> env = new LinkedHashMap<>();
        if (environment.isObject()) {
            environment.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        } else {
            for (JsonNode item : environment) {
                String[] kv = item.asText().split("=", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }

    private static String hostOf(String name) {
        return services.get(name).path("hostname").asText(name);
    }

    private static String healthcheck(String name) {
        JsonNode test = services.get(name).path("healthcheck").path("test");
        if (test.isArray()) {
            List<String> parts = new ArrayList<>();
            test.forEach(p -> parts.add(p.asText()));
            return String.join(" ", parts);
        }
        return test.asText("");
    }

    /** The names of the Docker secrets a service is given (short form). */
    private static List<String> secretsOf(String name) {
        List<String> names = new ArrayList<>();
        services.get(name).path("secrets").forEach(n -> names.add(n.isObject() ? n.path("source").asText() : n.asText()));
        return names;
    }

    private static List<String> commandLines(String name) {
        List<String> parts = new ArrayList<>();
        services.get(name).path("command").forEach(p -> parts.add(p.asText()));
        return parts;
    }

    /** depends_on as service to condition (the short list form means service_started). */
    private static Map<String, String> dependsOn(String name) {
        JsonNode dependsOn = services.get(name).path("depends_on");
        Map<String, String> result = new LinkedHashMap<>();
        if (dependsOn.isArray()) {
            dependsOn.forEach(d -> result.put(d.asText(), "service_started"));
        } else {
            Iterator<Map.Entry<String, JsonNode>> it = dependsOn.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                result.put(e.getKey(), e.getValue().path("condition").asText("service_started"));
            }
        }
        return result;
    }

    /** Named volumes (declared at the top level) mounted by a service: volume name to container path. */
    private static Map<String, String> namedVolumeMounts(String name) {
        Map<String, String> mounts = new LinkedHashMap<>();
        for (JsonNode v : services.get(name).path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && compose.path("volumes").has(parts[0])) {
                mounts.put(parts[0], parts[1]);
            }
        }
        return mounts;
    }

    /** {@code NAME://host:port,...} to a map of NAME to {@code host:port}. */
    private static Map<String, String> listeners(String value) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String listener : value.split(",")) {
            String[] parts = listener.trim().split("://", 2);
            result.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        return result;
    }

    private static String port(String hostPort) {
        return hostPort.substring(hostPort.lastIndexOf(':') + 1);
    }

    private static boolean imageVersionAtLeast(String image, int major, int minor) {
        String[] v = image.substring(image.lastIndexOf(':') + 1).split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        return ma > major || (ma == major && mi >= minor);
    }
}
