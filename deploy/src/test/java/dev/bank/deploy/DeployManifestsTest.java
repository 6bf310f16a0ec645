package dev.bank.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.launcher.KafkaAcls;
import dev.bank.launcher.LauncherConfig;
import dev.bank.notifier.NotifierConfig;
import dev.bank.observability.KafkaSecurity;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import kafka.server.KafkaConfig;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the Kubernetes manifests in {@code deploy/k8s/} to the model and to the bank itself, without a cluster:
 * every manifest parses strictly into fabric8's typed model ({@link KubernetesManifests}); every {@code BANK_*}
 * variable is one the services read, and each service's real typed configuration accepts its environment; probes
 * ask the health routes the services serve, on the ports their configurations listen on; Services, selectors,
 * budgets and NetworkPolicies fit the pods they are for; no secret is written in a manifest; images are pinned;
 * and the production shape holds (3 KRaft brokers of the build's Kafka version, processors as a StatefulSet with
 * stable names, static membership, standbys and persistent state, two or more gateways asking every processor).
 */
class DeployManifestsTest {

    private static final Pattern BANK_LITERAL = Pattern.compile("\"(BANK_[A-Z0-9_]+)\"");
    private static final Pattern BANK_LOGBACK_VARIABLE = Pattern.compile("\\$\\{(BANK_[A-Z0-9_]+)(:-[^}]*)?}");
    /** {@code $(NAME)}: a reference Kubernetes expands to an earlier variable of the same container. */
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    /**
     * Settings the manifests may set before the code reads them (a change of the services still under way); remove a
     * name once its code is in, and the check then holds it like any other. None now.
     */
    private static final Set<String> PENDING = Set.of();

    /** Variables of the bank's containers that are not the bank's own settings, and why each is there. */
    private static final Set<String> OTHER_VARIABLES = Set.of(
            "POD_NAME",          // the pod's name (downward API), for BANK_QUERY_HOST
            "JDK_JAVA_OPTIONS"); // the JVM's heap share of the memory limit

    /** The health routes every service serves (Observability.install): liveness and readiness. */
    private static final String LIVE = "/health/live";
    private static final String READY = "/health/ready";

    private static Path root;
    private static Path k8s;
    private static List<KubernetesManifests.Document> documents;
    private static Set<String> variablesRead;
    private static List<String> secretsCreated;

    @BeforeAll
    static void load() throws IOException {
        root = repoRoot();
        k8s = root.resolve("deploy/k8s");
        documents = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : manifestFiles()) {
            KubernetesManifests.Parsed parsed = KubernetesManifests.parse(file);
            documents.addAll(parsed.documents());
            problems.addAll(parsed.problems());
        }
        assertThat(problems).as("problems in deploy/k8s/*.yaml").isEmpty();
        variablesRead = bankVariablesInMainSources();
        secretsCreated = secretsCreated();
    }

    // ---------------------------------------------------------------------------------------------------------
    // the files

    @Test
    void everyManifestIsInTheKustomizationAndParsesIntoTheTypedModel() throws IOException {
        JsonNode kustomization = yaml(k8s.resolve("kustomization.yaml"));
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        Set<String> fields = new TreeSet<>();
        kustomization.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).as("kustomization fields").isSubsetOf("apiVersion", "kind", "namespace", "resources",
                "images", "labels", "patches", "configMapGenerator", "secretGenerator");
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        assertThat(listed).as("kustomization resources").containsExactlyInAnyOrderElementsOf(
                manifestFiles().stream().map(f -> f.getFileName().toString()).toList());
        assertThat(kustomization.path("namespace").asText()).isEqualTo("bank");
        assertThat(resources(Namespace.class)).extracting(n -> n.getMetadata().getName()).containsExactly("bank");
        assertThat(documents).as("documents parsed").hasSizeGreaterThan(15);
        for (KubernetesManifests.Document d : documents) {
            assertThat(d.resource().getMetadata().getNamespace())
                    .as("%s: the namespace comes from the kustomization", d.describe()).isNull();
            assertThat(d.resource().getMetadata().getLabels()).as("%s labels", d.describe())
                    .containsEntry("app.kubernetes.io/part-of", "bank");
        }
        assertThat(kustomization.path("secretGenerator").isMissingNode()).as("no secret from the repository").isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // settings

    @Test
    void everyBankVariableIsOneTheServicesRead() {
        assertThat(variablesRead).as("BANK_* literals found in */src/main/java")
                .contains("BANK_BOOTSTRAP_SERVERS", "BANK_QUERY_HOST", "BANK_PROCESSOR_URLS", "BANK_STATE_DIR");
        for (Workload w : bankWorkloads()) {
            for (Container c : w.containers()) {
                assertThat(c.getEnvFrom()).as("%s: every variable named in the manifest (no envFrom)", w.where(c))
                        .isNullOrEmpty();
                Set<String> names = new LinkedHashSet<>();
                for (EnvVar v : c.getEnv()) {
                    assertThat(names.add(v.getName())).as("%s sets %s once", w.where(c), v.getName()).isTrue();
                    if (v.getName().startsWith("BANK_")) {
                        assertThat(variablesRead.contains(v.getName()) || PENDING.contains(v.getName()))
                                .as("%s sets %s, which no module's main sources read (misspelt or gone?)",
                                        w.where(c), v.getName()).isTrue();
                    } else {
                        assertThat(OTHER_VARIABLES).as("%s sets %s", w.where(c), v.getName()).contains(v.getName());
                    }
                }
            }
        }
    }

    @Test
    void variableReferencesNameEarlierVariablesOfTheSameContainer() {
        for (Workload w : workloads()) {
            for (Container c : w.containers()) {
                Set<String> earlier = new LinkedHashSet<>();
                for (EnvVar v : c.getEnv()) {
                    if (v.getValue() != null) {
                        Matcher m = ENV_REFERENCE.matcher(v.getValue());
                        while (m.find()) {
                            assertThat(earlier).as("%s: %s refers to $(%s)", w.where(c), v.getName(), m.group(1))
                                    .contains(m.group(1));
                        }
                    }
                    earlier.add(v.getName());
                }
            }
        }
    }

    /**
     * Builds each service's real typed configuration from its container's environment (secret files replaced by
     * files with made-up values), so a value a service cannot parse fails here and not in the cluster, and holds the
     * manifests to what the configurations say: ports, bind addresses, state directory, group ids.
     */
    @Test
    void eachServiceAcceptsItsEnvironmentAndListensWhereItsManifestSays(@TempDir Path secrets) {
        Workload processors = workload("processor");
        Map<String, String> processorEnv = configEnv(processors, 0, secrets);
        ProcessorConfig processor = ProcessorConfig.fromEnv(processorEnv);
        assertThat(processor.queryBindHost()).as("the query API listens beyond the pod's loopback").isEqualTo("0.0.0.0");
        assertThat(containerPort(processors, processor.queryPort())).as("processor container port").isNotNull();
        assertThat(processor.kafkaSecurity().authenticates()).isTrue();
        assertThat(processor.standbyReplicas()).as("BANK_STANDBY_REPLICAS").isGreaterThanOrEqualTo(1);
        assertThat(processor.internalReplication()).as("BANK_INTERNAL_REPLICATION").isEqualTo(3);
        assertThat(processor.sessionTimeoutMs()).as("BANK_SESSION_TIMEOUT_MS set deliberately")
                .isEqualTo(Integer.parseInt(processorEnv.get("BANK_SESSION_TIMEOUT_MS")));
        assertThat(processor.requireServiceToken()).isNotBlank();
        assertThat(LauncherConfig.fromEnv(processorEnv).bootstrapServers()).isEqualTo(processor.bootstrapServers());

        Workload gateways = workload("gateway");
        GatewayConfig gateway = GatewayConfig.fromEnv(configEnv(gateways, 0, secrets));
        assertThat(gateway.bindHost()).isEqualTo("0.0.0.0");
        assertThat(containerPort(gateways, gateway.port())).as("gateway container port").isNotNull();
        assertThat(gateway.kafkaSecurity().authenticates()).isTrue();
        assertThat(gateway.api().requireServiceToken()).isEqualTo(processor.requireServiceToken())
                .as("gateway and processors share one service credential (the same Secret)");
        // tokens: the identity provider's keys by URL, its issuer and audience, never the local signing key
        assertThat(gateway.api().auth().jwksUrl()).as("BANK_JWT_JWKS_URL").startsWith("https://");
        assertThat(gateway.api().auth().publicKeyFile()).as("BANK_JWT_PUBLIC_KEY_FILE").isNull();
        assertThat(gateway.api().auth().issuer()).as("BANK_JWT_ISSUER").isNotEqualTo("bank-local");
        assertThat(gateway.api().auth().audience()).as("BANK_JWT_AUDIENCE").isNotBlank();

        Workload notifiers = workload("notifier");
        NotifierConfig notifier = NotifierConfig.fromEnv(configEnv(notifiers, 0, secrets));
        assertThat(notifier.bindHost()).isEqualTo("0.0.0.0");
        assertThat(containerPort(notifiers, notifier.port())).as("notifier container port").isNotNull();
        assertThat(notifier.kafkaSecurity().authenticates()).isTrue();

        // the set-up Job: the topics and then the ACLs, as the super user
        Workload setup = workload("acls");
        Container topicsStep = setup.container("topics");
        Container aclsStep = setup.container("acls");
        assertThat(setup.pod().getInitContainers()).as("topics run before the ACLs").contains(topicsStep);
        for (Container step : List.of(topicsStep, aclsStep)) {
            Map<String, String> env = configEnv(setup, step, 0, secrets);
            KafkaSecurity admin = KafkaSecurity.fromEnv(env);
            assertThat(admin.authenticates()).isTrue();
            assertThat(env).containsEntry("BANK_KAFKA_USERNAME", "admin").containsEntry("BANK_KAFKA_SASL_MECHANISM", "PLAIN");
            assertThat(Topics.fromEnv(env).specs()).isNotEmpty();
            assertThat(LauncherConfig.fromEnv(env).bootstrapServers()).isNotBlank();
        }
        Map<String, String> aclEnv = configEnv(setup, aclsStep, 0, secrets);
        KafkaAcls.Roles.fromEnv(aclEnv);
        assertThat(ProcessorConfig.fromEnv(aclEnv).applicationId()).as("the ACLs grant the processors' application id")
                .isEqualTo(processor.applicationId());
        assertThat(NotifierConfig.fromEnv(aclEnv).groupId()).as("the ACLs grant the notifier's group")
                .isEqualTo(notifier.groupId());
        for (String role : List.of("GATEWAY", "PROCESSOR", "UPSTREAM", "MONITOR", "NOTIFIER")) {
            assertThat(aclEnv).as("bank acls sets the %s role's password", role)
                    .containsKey("BANK_ACL_" + role + "_PASSWORD_FILE");
        }
    }

    @Test
    void settingsThatMustAgreeDoAgree() {
        // the topics' names, counts and replication: one value across every container that sets one
        Map<String, Set<String>> values = new HashMap<>();
        for (Workload w : bankWorkloads()) {
            for (Container c : w.containers()) {
                for (EnvVar v : c.getEnv()) {
                    if (v.getName().startsWith("BANK_TOPIC_") || v.getName().equals("BANK_APPLICATION_ID")
                            || v.getName().equals("BANK_NOTIFIER_GROUP_ID") || v.getName().equals("BANK_IDEMPOTENCY_RETENTION")) {
                        values.computeIfAbsent(v.getName(), k -> new TreeSet<>()).add(String.valueOf(v.getValue()));
                    }
                }
            }
        }
        assertThat(values).containsKeys("BANK_TOPIC_PARTITIONS", "BANK_APPLICATION_ID", "BANK_NOTIFIER_GROUP_ID");
        values.forEach((name, seen) -> assertThat(seen).as("%s is the same everywhere", name).hasSize(1));
        assertThat(values.get("BANK_TOPIC_REPLICATION")).containsExactly("3");
    }

    // ---------------------------------------------------------------------------------------------------------
    // health, ports, services

    @Test
    void probesAskTheServicesHealthRoutesOnTheirOwnPorts() throws IOException {
        // the routes are the ones Observability installs on every service (not /internal/health: it wants the
        // service credential, and a probe has none)
        String observability = Files.readString(root.resolve(
                "observability/src/main/java/dev/bank/observability/Observability.java"), StandardCharsets.UTF_8);
        assertThat(observability).contains("routes.get(\"" + LIVE + "\"", "routes.get(\"" + READY + "\"");
        Map<String, String> portVariable = Map.of("processor", "BANK_QUERY_PORT", "gateway", "BANK_GATEWAY_PORT",
                "notifier", "BANK_NOTIFIER_PORT");
        for (String command : portVariable.keySet()) {
            Workload w = workload(command);
            Container c = w.containers().get(0);
            int port = Integer.parseInt(env(w, c).get(portVariable.get(command)));
            assertThat(probePath(w, c, c.getStartupProbe(), port)).as("%s startup probe", w.where(c)).isEqualTo(LIVE);
            assertThat(probePath(w, c, c.getLivenessProbe(), port)).as("%s liveness probe", w.where(c)).isEqualTo(LIVE);
            assertThat(probePath(w, c, c.getReadinessProbe(), port)).as("%s readiness probe", w.where(c)).isEqualTo(READY);
            // liveness gives a busy JVM time: at least 30 s of failures before a restart
            Probe liveness = c.getLivenessProbe();
            assertThat(liveness.getPeriodSeconds() * liveness.getFailureThreshold()).as("%s liveness window", w.where(c))
                    .isGreaterThanOrEqualTo(30);
            // and a first start time for the JVM, and for the processor its stores
            Probe startup = c.getStartupProbe();
            assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).as("%s startup window", w.where(c))
                    .isGreaterThanOrEqualTo(command.equals("processor") ? 300 : 90);
        }
        Workload kafka = workload("kafka");
        Container broker = kafka.containers().get(0);
        for (Probe p : List.of(broker.getStartupProbe(), broker.getReadinessProbe(), broker.getLivenessProbe())) {
            assertThat(p).as("broker probes").isNotNull();
            assertThat(resolvePort(kafka, broker, p.getTcpSocket().getPort())).isEqualTo(19092);
        }
    }

    @Test
    void servicesAndBudgetsSelectTheirPodsAndTargetPortsTheyHave() {
        for (Workload w : workloads()) {
            Map<String, String> selector = w.selector().getMatchLabels();
            assertThat(w.selector().getMatchExpressions()).isNullOrEmpty();
            assertThat(w.labels()).as("%s template labels carry its selector", w.name()).containsAllEntriesOf(selector);
        }
        for (Service s : resources(Service.class)) {
            List<Workload> selected = workloads().stream()
                    .filter(w -> w.labels().entrySet().containsAll(s.getSpec().getSelector().entrySet())).toList();
            assertThat(selected).as("Service %s selects exactly one workload", name(s)).hasSize(1);
            Workload w = selected.get(0);
            for (ServicePort p : s.getSpec().getPorts()) {
                Integer target = resolvePort(w, w.containers().get(0), p.getTargetPort());
                assertThat(target).as("Service %s port %s targets a container port", name(s), p.getName()).isNotNull();
                assertThat(target).as("Service %s port %s", name(s), p.getName()).isEqualTo(p.getPort());
            }
        }
        for (PodDisruptionBudget pdb : resources(PodDisruptionBudget.class)) {
            List<Workload> selected = workloads().stream()
                    .filter(w -> w.labels().entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()))
                    .toList();
            assertThat(selected).as("PDB %s selects exactly one workload", name(pdb)).hasSize(1);
            assertThat(pdb.getSpec().getMaxUnavailable()).as("PDB %s", name(pdb)).isEqualTo(new IntOrString(1));
            assertThat(selected.get(0).replicas()).as("%s can lose one", selected.get(0).name()).isGreaterThanOrEqualTo(2);
        }
        // every long-running workload has a budget
        for (String command : List.of("kafka", "processor", "gateway", "notifier")) {
            Workload w = workload(command);
            assertThat(resources(PodDisruptionBudget.class)).as("a PDB for %s", w.name())
                    .anyMatch(p -> w.labels().entrySet().containsAll(p.getSpec().getSelector().getMatchLabels().entrySet()));
        }
        // a StatefulSet's pods get their names from a headless Service that publishes them before they are ready
        for (StatefulSet set : resources(StatefulSet.class)) {
            Service headless = resources(Service.class).stream()
                    .filter(s -> s.getMetadata().getName().equals(set.getSpec().getServiceName())).findFirst()
                    .orElseThrow(() -> new AssertionError("no Service " + set.getSpec().getServiceName()));
            assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
            assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
            assertThat(set.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(headless.getSpec().getSelector());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the production shape

    @Test
    void processorsAreAStatefulSetWithStableIdentityStandbysAndPersistentState() {
        Workload w = workload("processor");
        assertThat(w.resource()).isInstanceOf(StatefulSet.class);
        StatefulSet set = (StatefulSet) w.resource();
        Container c = w.containers().get(0);
        Map<String, String> env = env(w, c);
        assertThat(w.replicas()).as("processors").isGreaterThanOrEqualTo(2);
        assertThat(Integer.parseInt(env.get("BANK_STANDBY_REPLICAS"))).isGreaterThanOrEqualTo(1);
        assertThat(env).containsKey("BANK_SESSION_TIMEOUT_MS");

        // static membership and the query host from the pod's own name
        assertThat(fieldRef(c, "BANK_PROCESSOR_INSTANCE_ID")).isEqualTo("metadata.name");
        assertThat(fieldRef(c, "POD_NAME")).isEqualTo("metadata.name");
        assertThat(value(c, "BANK_QUERY_HOST")).isEqualTo("$(POD_NAME)." + set.getSpec().getServiceName());
        assertThat(env.get("BANK_QUERY_HOST")).isEqualTo(set.getMetadata().getName() + "-0." + set.getSpec().getServiceName());

        // the state directory on the pod's own claim
        String stateDir = env.get("BANK_STATE_DIR");
        VolumeMount mount = mountOf(c, stateDir);
        assertThat(mount).as("a volume mounted at or above BANK_STATE_DIR %s", stateDir).isNotNull();
        assertThat(set.getSpec().getVolumeClaimTemplates()).extracting(pvc -> pvc.getMetadata().getName())
                .as("BANK_STATE_DIR is on a claim of the StatefulSet, not the container's disk").contains(mount.getName());
        PersistentVolumeClaim claim = set.getSpec().getVolumeClaimTemplates().stream()
                .filter(pvc -> pvc.getMetadata().getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests()).containsKey("storage");

        // a clean Streams close (30 s in ProcessorApp.close) fits in the grace period, with room for the JVM
        assertThat(w.pod().getTerminationGracePeriodSeconds()).isGreaterThanOrEqualTo(45L);
        assertThat(set.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
        assertThat(set.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    }

    @Test
    void gatewaysAreTwoOrMoreAndAskEveryProcessorByItsStableName() {
        Workload gateway = workload("gateway");
        assertThat(gateway.resource()).isInstanceOf(Deployment.class);
        assertThat(gateway.replicas()).isGreaterThanOrEqualTo(2);
        Workload processors = workload("processor");
        StatefulSet set = (StatefulSet) processors.resource();
        String port = env(processors, processors.containers().get(0)).get("BANK_QUERY_PORT");
        List<String> expected = IntStream.range(0, processors.replicas())
                .mapToObj(i -> "http://" + set.getMetadata().getName() + "-" + i + "." + set.getSpec().getServiceName()
                        + ":" + port).toList();
        assertThat(List.of(env(gateway, gateway.containers().get(0)).get("BANK_PROCESSOR_URLS").split(",")))
                .as("BANK_PROCESSOR_URLS: every processor pod, by the name it advertises (BANK_QUERY_HOST)")
                .containsExactlyElementsOf(expected);
        Deployment d = (Deployment) gateway.resource();
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
        Container c = gateway.containers().get(0);
        assertThat(c.getLifecycle().getPreStop().getSleep().getSeconds()).as("preStop pause").isPositive();
        assertThat(workload("notifier").resource()).isInstanceOf(Deployment.class);
    }

    @Test
    void kafkaIsThreeKraftNodesOfTheBuildsVersionBehindSasl() throws IOException {
        Workload kafka = workload("kafka");
        StatefulSet set = (StatefulSet) kafka.resource();
        Container c = kafka.containers().get(0);
        Map<String, String> env = env(kafka, c);
        String kafkaVersion = rootPomProperty("kafka.version");
        assertThat(c.getImage()).isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(kafka.replicas()).isEqualTo(3);
        for (String name : env.keySet()) {
            assertThat(name.startsWith("KAFKA_") || name.equals("CLUSTER_ID") || name.equals("POD_NAME"))
                    .as("%s is an apache/kafka image variable", name).isTrue();
        }
        assertThat(Set.of(env.get("KAFKA_PROCESS_ROLES").split(","))).containsExactlyInAnyOrder("broker", "controller");
        assertThat(env).containsEntry("KAFKA_DEFAULT_REPLICATION_FACTOR", "3").containsEntry("KAFKA_MIN_INSYNC_REPLICAS", "2")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "3")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "3")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsEntry("KAFKA_AUTHORIZER_CLASS_NAME", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false")
                .containsEntry("KAFKA_SUPER_USERS", "User:admin");
        String id = env.get("CLUSTER_ID");
        assertThat(java.util.Base64.getUrlDecoder().decode(id)).as("CLUSTER_ID is a base64 UUID").hasSize(16);

        // the quorum: node i is pod kafka-i, at its stable name, on the controller listener
        Map<String, String> listeners = listeners(env.get("KAFKA_LISTENERS"));
        String controllerPort = port(listeners.get(env.get("KAFKA_CONTROLLER_LISTENER_NAMES")));
        String pods = set.getMetadata().getName() + "-%d." + set.getSpec().getServiceName();
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo(IntStream.range(0, 3)
                .mapToObj(i -> i + "@" + pods.formatted(i) + ":" + controllerPort).collect(Collectors.joining(",")));
        // the start-up script derives the node id and the advertised listeners from the pod's name
        String script = String.join("\n", Objects.requireNonNullElse(c.getCommand(), List.of())) + "\n"
                + String.join("\n", Objects.requireNonNullElse(c.getArgs(), List.of()));
        assertThat(script).contains("KAFKA_NODE_ID=\"${POD_NAME##*-}\"")
                .contains("/etc/kafka/docker/run").doesNotContain("$(");
        Matcher advertised = Pattern.compile("KAFKA_ADVERTISED_LISTENERS=\"([^\"]+)\"").matcher(script);
        assertThat(advertised.find()).isTrue();
        Map<String, String> advertisedListeners = listeners(advertised.group(1));
        assertThat(advertisedListeners.keySet()).as("advertised: all but the controller")
                .containsExactlyInAnyOrder("INTERNAL", "CLIENT");
        advertisedListeners.forEach((name, address) -> assertThat(address)
                .isEqualTo("${POD_NAME}." + set.getSpec().getServiceName() + ":" + port(listeners.get(name))));

        // every listener authenticates: PLAIN for the super user's two, SCRAM for the clients
        Map<String, String> protocols = listeners(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").replace(":", "://"));
        assertThat(protocols.keySet()).containsExactlyInAnyOrderElementsOf(listeners.keySet());
        assertThat(protocols.values()).allMatch(p -> p.startsWith("SASL_"));
        assertThat(env).containsEntry("KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS", "SCRAM-SHA-512")
                .containsEntry("KAFKA_LISTENER_NAME_INTERNAL_SASL_ENABLED_MECHANISMS", "PLAIN")
                .containsEntry("KAFKA_LISTENER_NAME_CONTROLLER_SASL_ENABLED_MECHANISMS", "PLAIN")
                .containsEntry("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL");
        // each listener is a container port of the same number, and the headless Service has them all
        listeners.forEach((name, address) -> assertThat(resolvePort(kafka, c, new IntOrString(name.toLowerCase())))
                .as("listener %s", name).isEqualTo(Integer.parseInt(port(address))));

        // the services bootstrap from every broker on CLIENT, the set-up Job on INTERNAL
        String client = IntStream.range(0, 3).mapToObj(i -> pods.formatted(i) + ":" + port(listeners.get("CLIENT")))
                .collect(Collectors.joining(","));
        String internal = IntStream.range(0, 3).mapToObj(i -> pods.formatted(i) + ":" + port(listeners.get("INTERNAL")))
                .collect(Collectors.joining(","));
        for (Workload w : bankWorkloads()) {
            for (Container bank : w.containers()) {
                Map<String, String> e = env(w, bank);
                boolean admin = "admin".equals(e.get("BANK_KAFKA_USERNAME"));
                assertThat(e.get("BANK_BOOTSTRAP_SERVERS")).as("%s bootstrap", w.where(bank))
                        .isEqualTo(admin ? internal : client);
                assertThat(e.get("BANK_KAFKA_SASL_MECHANISM")).as("%s", w.where(bank))
                        .isEqualTo(admin ? "PLAIN" : "SCRAM-SHA-512");
                if (!admin) {
                    assertThat(e.get("BANK_KAFKA_USERNAME")).as("%s logs in as its own role", w.where(bank))
                            .isEqualTo(bank.getArgs().get(0));
                }
            }
        }
        // the log on the pod's claim, below its root (which may hold a lost+found)
        VolumeMount data = mountOf(c, env.get("KAFKA_LOG_DIRS"));
        assertThat(data).isNotNull();
        assertThat(data.getMountPath()).isNotEqualTo(env.get("KAFKA_LOG_DIRS"));
        assertThat(set.getSpec().getVolumeClaimTemplates()).extracting(p -> p.getMetadata().getName()).contains(data.getName());
        assertThat(set.getSpec().getPodManagementPolicy()).as("the quorum starts together").isEqualTo("Parallel");
        assertThat(kafka.pod().getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .as("one broker per machine").isNotEmpty();
    }

    /**
     * The brokers' KAFKA_* variables become broker settings the way the apache/kafka image turns them into
     * server.properties (lower case; {@code _} a dot, {@code __} an underscore, {@code ___} a dash; a few launcher
     * variables excluded). Each must be a setting Kafka has (a misspelt one would only be a warning in the broker's
     * log), and Kafka's own {@code KafkaConfig} must accept the whole, as node 0 sees it.
     */
    @Test
    void theBrokersSettingsAreOnesKafkaHasAndKafkaConfigAcceptsThem() {
        Workload brokers = workload("kafka");
        Container c = brokers.containers().get(0);
        Set<String> launcherOnly = Set.of("KAFKA_VERSION", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS", "KAFKA_JMX_OPTS",
                "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL", "KAFKA_LOG4J_LOGGERS",
                "KAFKA_TOOLS_LOG4J_LOGLEVEL");
        Set<String> known = new TreeSet<>(scala.jdk.javaapi.CollectionConverters.asJava(KafkaConfig.configNames()));
        // the authorizer's own settings (KAFKA_AUTHORIZER_CLASS_NAME names it)
        known.add(StandardAuthorizer.SUPER_USERS_CONFIG);
        known.add(StandardAuthorizer.ALLOW_EVERYONE_IF_NO_ACL_IS_FOUND_CONFIG);
        java.util.Properties props = new java.util.Properties();
        env(brokers, c).forEach((name, value) -> {
            if (!name.startsWith("KAFKA_") || launcherOnly.contains(name)) return;
            String property = name.substring("KAFKA_".length()).toLowerCase(java.util.Locale.ROOT)
                    .replaceAll("(?<!_)_(?!_)", ".").replace("___", "-").replace("__", "_");
            // per-listener settings: listener.name.<listener>.[<sasl mechanism>.]<setting>
            String setting = property.replaceFirst("^listener\\.name\\.[a-z0-9_-]+\\.((scram-sha-(256|512)|plain)\\.)?", "");
            assertThat(known).as("%s sets %s, which is no Kafka broker setting", name, property).contains(setting);
            props.put(property, value);
        });
        // what the start-up script adds for pod kafka-0
        String script = String.join("\n", c.getCommand());
        Matcher advertised = Pattern.compile("KAFKA_ADVERTISED_LISTENERS=\"([^\"]+)\"").matcher(script);
        assertThat(advertised.find()).isTrue();
        props.put("node.id", "0");
        props.put("advertised.listeners", advertised.group(1).replace("${POD_NAME}", "kafka-0"));
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        assertThat(config.nodeId()).isZero();
        assertThat(config.minInSyncReplicas()).isEqualTo(2);
        assertThat(config.defaultReplicationFactor()).isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------------------
    // secrets, images, pod security

    @Test
    void noSecretValueIsInTheManifestsOnlyReferencesToSecretsTheScriptCreates() throws IOException {
        assertThat(documents).as("no Secret object in the repository")
                .noneMatch(d -> d.resource().getKind().equals("Secret"));
        Set<String> referenced = new TreeSet<>();
        for (Workload w : workloads()) {
            for (Volume v : w.pod().getVolumes()) {
                if (v.getSecret() != null) referenced.add(v.getSecret().getSecretName());
            }
            for (Container c : w.containers()) {
                for (EnvVar v : c.getEnv()) {
                    assertThat(v.getValueFrom() == null || v.getValueFrom().getSecretKeyRef() == null)
                            .as("%s %s: secrets as files, not variables (a variable shows in `kubectl describe`"
                                    + " and to anything that dumps the environment)", w.where(c), v.getName()).isTrue();
                    if (v.getName().matches(".*(PASSWORD|TOKEN|SECRET)(_FILE)?$")) {
                        assertThat(v.getName()).as("%s: %s", w.where(c), v.getName()).endsWith("_FILE");
                    }
                    if (v.getName().endsWith("_FILE")) {
                        // the file lies on a mounted Secret, under the key the script creates
                        VolumeMount mount = mountOf(c, v.getValue());
                        assertThat(mount).as("%s %s=%s is on a mount", w.where(c), v.getName(), v.getValue()).isNotNull();
                        Volume volume = w.volume(mount.getName());
                        assertThat(volume.getSecret()).as("%s %s is on a Secret", w.where(c), v.getName()).isNotNull();
                        String key = Path.of(mount.getMountPath()).relativize(Path.of(v.getValue())).toString();
                        assertThat(secretsCreated).as("create-secrets.sh makes %s with key %s",
                                volume.getSecret().getSecretName(), key)
                                .contains(volume.getSecret().getSecretName() + ":" + key);
                        assertThat(mount.getReadOnly()).as("%s mount %s read-only", w.where(c), mount.getName()).isTrue();
                    }
                }
            }
        }
        assertThat(secretsCreated.stream().map(s -> s.split(":")[0]).toList()).containsAll(referenced);
        for (ConfigMap map : resources(ConfigMap.class)) {
            assertThat(map.getData().keySet()).as("ConfigMap %s holds no secret", name(map))
                    .noneMatch(k -> k.matches("(?i).*(password|token|secret|private).*"));
        }
        // and no credential typed into any file here
        for (Path file : manifestFiles()) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertThat(text).as(file.getFileName().toString())
                    .doesNotContainPattern("password=\\\"[A-Za-z0-9]")
                    .doesNotContainPattern("(?i)(password|token|secret)\\s*:\\s*[\"']?[A-Za-z0-9+/=]{12,}")
                    .doesNotContain("BEGIN PRIVATE KEY");
        }
    }

    @Test
    void imagesArePinned() throws IOException {
        JsonNode kustomization = yaml(k8s.resolve("kustomization.yaml"));
        Map<String, JsonNode> overrides = new HashMap<>();
        kustomization.path("images").forEach(i -> overrides.put(i.path("name").asText(), i));
        for (Workload w : workloads()) {
            for (Container c : w.allContainers()) {
                String image = c.getImage();
                assertThat(image).as("%s image", w.where(c)).matches("[a-z0-9./-]+(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})");
                assertThat(image).as("%s image", w.where(c)).doesNotEndWith(":latest");
                assertThat(c.getImagePullPolicy()).as("%s pull policy", w.where(c)).isEqualTo("IfNotPresent");
                String repository = image.split("[:@]")[0];
                JsonNode override = overrides.get(repository);
                if (override != null) {
                    String tag = override.path("newTag").asText(override.path("digest").asText());
                    assertThat(tag).as("kustomization image %s", repository).isNotBlank().isNotEqualTo("latest");
                }
            }
        }
        assertThat(overrides).as("the bank's image is set in one place").containsKey("bank");
    }

    @Test
    void everyPodRunsRestrictedWithBoundedResources() {
        for (Workload w : workloads()) {
            PodSpec pod = w.pod();
            assertThat(pod.getEnableServiceLinks()).as("%s: no service link variables (a Service named bank-kafka "
                    + "would set BANK_KAFKA_PORT=tcp://..., the launcher's own setting)", w.name()).isFalse();
            assertThat(pod.getAutomountServiceAccountToken()).as("%s: no Kubernetes API credential", w.name()).isFalse();
            PodSecurityContext security = pod.getSecurityContext();
            assertThat(security.getRunAsNonRoot()).as("%s runAsNonRoot", w.name()).isTrue();
            assertThat(security.getRunAsUser()).as("%s runAsUser", w.name()).isPositive();
            assertThat(security.getSeccompProfile().getType()).as("%s seccomp", w.name()).isEqualTo("RuntimeDefault");
            for (Container c : w.allContainers()) {
                SecurityContext cs = c.getSecurityContext();
                assertThat(cs.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", w.where(c)).isFalse();
                assertThat(cs.getCapabilities().getDrop()).as("%s capabilities", w.where(c)).containsExactly("ALL");
                if (!w.isKafka()) {
                    assertThat(cs.getReadOnlyRootFilesystem()).as("%s read-only root", w.where(c)).isTrue();
                    assertThat(mountOf(c, "/tmp")).as("%s: a writable /tmp (RocksDB's native library)", w.where(c))
                            .isNotNull();
                    assertThat(security.getRunAsUser()).as("%s: the image's user (Dockerfile)", w.name()).isEqualTo(10001L);
                }
                assertThat(c.getResources().getRequests()).as("%s requests", w.where(c)).containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as("%s memory limit", w.where(c)).containsKey("memory");
            }
        }
    }

    @Test
    void theImageRunsAsTheUserTheManifestsSay() throws IOException {
        List<String> dockerfile = Files.readAllLines(root.resolve("Dockerfile"), StandardCharsets.UTF_8);
        assertThat(dockerfile).as("USER by number, so that runAsNonRoot can be checked")
                .anyMatch(l -> l.trim().equals("USER 10001:10001"));
        assertThat(String.join("\n", dockerfile)).contains("--uid 10001").contains("--gid 10001");
    }

    // ---------------------------------------------------------------------------------------------------------
    // network policies

    @Test
    void networkPoliciesAllowTheFlowsTheBankNeedsAndNoOthers() {
        List<NetworkPolicy> policies = resources(NetworkPolicy.class);
        assertThat(policies).as("a default deny of everything").anyMatch(p ->
                (p.getSpec().getPodSelector().getMatchLabels() == null || p.getSpec().getPodSelector().getMatchLabels().isEmpty())
                        && p.getSpec().getIngress().isEmpty() && p.getSpec().getEgress().isEmpty()
                        && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress")));
        Workload kafka = workload("kafka");
        Workload processor = workload("processor");
        Workload gateway = workload("gateway");
        Workload notifier = workload("notifier");
        Workload setup = workload("acls");
        // needed
        assertThat(allowed(policies, gateway, processor, 8081)).as("gateway -> processors' query API").isTrue();
        assertThat(allowed(policies, processor, processor, 8081)).as("processor -> processor (forwarding)").isTrue();
        for (Workload client : List.of(processor, gateway, notifier)) {
            assertThat(allowed(policies, client, kafka, 19092)).as("%s -> brokers CLIENT", client.name()).isTrue();
        }
        assertThat(allowed(policies, setup, kafka, 19091)).as("set-up Job -> brokers INTERNAL").isTrue();
        assertThat(allowed(policies, kafka, kafka, 19091)).as("broker -> broker replication").isTrue();
        assertThat(allowed(policies, kafka, kafka, 9093)).as("broker -> broker quorum").isTrue();
        // not needed, so not allowed
        for (Workload client : List.of(processor, gateway, notifier)) {
            assertThat(allowed(policies, client, kafka, 19091)).as("%s -> the super user's listener", client.name()).isFalse();
            assertThat(allowed(policies, client, kafka, 9093)).as("%s -> the controllers", client.name()).isFalse();
        }
        assertThat(allowed(policies, notifier, processor, 8081)).as("notifier -> query API").isFalse();
        assertThat(allowed(policies, setup, kafka, 19092)).as("set-up Job -> CLIENT").isFalse();
        assertThat(allowed(policies, gateway, notifier, 8082)).as("gateway -> notifier").isFalse();
        assertThat(allowed(policies, processor, gateway, 8080)).as("processors call no gateway").isFalse();
        // the notifier reaches the internet but no private network (on top of its SSRF rules)
        NetworkPolicy notifierPolicy = policies.stream().filter(p -> selects(p.getSpec().getPodSelector(), notifier))
                .filter(p -> !p.getSpec().getEgress().isEmpty() && p.getSpec().getEgress().stream()
                        .anyMatch(r -> r.getTo().stream().anyMatch(t -> t.getIpBlock() != null))).findFirst().orElseThrow();
        notifierPolicy.getSpec().getEgress().stream().flatMap(r -> r.getTo().stream()).filter(t -> t.getIpBlock() != null)
                .filter(t -> t.getIpBlock().getCidr().equals("0.0.0.0/0"))
                .forEach(t -> assertThat(t.getIpBlock().getExcept()).contains("10.0.0.0/8", "172.16.0.0/12",
                        "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // monitoring

    @Test
    void prometheusScrapesTheJobsTheAlertRulesSelectFromTheMetricsPorts() throws IOException {
        ConfigMap scrape = resources(ConfigMap.class).stream()
                .filter(m -> m.getMetadata().getName().equals("bank-prometheus-scrape")).findFirst().orElseThrow();
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(scrape.getData().get("bank-scrape-configs.yml"));
        JsonNode compose = yaml(root.resolve("observability/prometheus/prometheus.yml"));
        Set<String> bankJobs = new TreeSet<>();
        compose.path("scrape_configs").forEach(j -> {
            if (j.path("job_name").asText().startsWith("bank-")) bankJobs.add(j.path("job_name").asText());
        });
        Map<String, String> commandOf = Map.of("bank-gateway", "gateway", "bank-processor", "processor",
                "bank-notifier", "notifier");
        Set<String> jobs = new TreeSet<>();
        for (JsonNode job : config.path("scrape_configs")) {
            String name = job.path("job_name").asText();
            jobs.add(name);
            assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
            assertThat(job.path("kubernetes_sd_configs").get(0).path("namespaces").path("names").get(0).asText())
                    .isEqualTo("bank");
            JsonNode keep = null;
            for (JsonNode r : job.path("relabel_configs")) {
                if (r.path("action").asText().equals("keep")) keep = r;
            }
            assertThat(keep).as("%s keeps only its pods' metrics port", name).isNotNull();
            String[] regex = keep.path("regex").asText().split(";");
            Workload w = workload(commandOf.get(name));
            assertThat(w.labels()).as("job %s selects by app.kubernetes.io/name", name)
                    .containsEntry("app.kubernetes.io/name", regex[0]);
            Container c = w.containers().get(0);
            ContainerPort port = c.getPorts().stream().filter(p -> regex[1].equals(p.getName())).findFirst().orElse(null);
            assertThat(port).as("job %s: a port named %s", name, regex[1]).isNotNull();
            // /metrics is served on the port the readiness probe asks
            assertThat(c.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString(regex[1]));
        }
        assertThat(jobs).as("the jobs observability/prometheus/alerts.yml and the dashboard select").isEqualTo(bankJobs);
        String alerts = Files.readString(root.resolve("observability/prometheus/alerts.yml"), StandardCharsets.UTF_8);
        Matcher up = Pattern.compile("job=~\"([^\"]+)\"").matcher(alerts);
        while (up.find()) {
            for (String job : up.group(1).split("\\|")) {
                assertThat(jobs).as("alerts.yml selects job %s", job).contains(job);
            }
        }
    }

    // =========================================================================================================
    // helpers

    /** A workload (StatefulSet, Deployment or Job) and its pod template. */
    record Workload(HasMetadata resource, PodTemplateSpec template, LabelSelector selector, int replicas) {
        String name() {
            return resource.getKind() + "/" + resource.getMetadata().getName();
        }

        PodSpec pod() {
            return template.getSpec();
        }

        Map<String, String> labels() {
            return template.getMetadata().getLabels();
        }

        /** The long-running containers, and a Job's steps (init containers too). */
        List<Container> containers() {
            return resource instanceof Job ? allContainers() : pod().getContainers();
        }

        List<Container> allContainers() {
            List<Container> all = new ArrayList<>(Objects.requireNonNullElse(pod().getInitContainers(), List.of()));
            all.addAll(pod().getContainers());
            return all;
        }

        Container container(String name) {
            return allContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(name() + " has no container " + name));
        }

        Volume volume(String name) {
            return pod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError(name() + " has no volume " + name));
        }

        String where(Container c) {
            return name() + " container " + c.getName();
        }

        boolean isKafka() {
            return pod().getContainers().stream().anyMatch(c -> c.getImage().startsWith("apache/kafka:"));
        }
    }

    private static List<Workload> workloads() {
        List<Workload> all = new ArrayList<>();
        for (StatefulSet s : resources(StatefulSet.class)) {
            all.add(new Workload(s, s.getSpec().getTemplate(), s.getSpec().getSelector(), s.getSpec().getReplicas()));
        }
        for (Deployment d : resources(Deployment.class)) {
            all.add(new Workload(d, d.getSpec().getTemplate(), d.getSpec().getSelector(), d.getSpec().getReplicas()));
        }
        for (Job j : resources(Job.class)) {
            LabelSelector selector = new LabelSelector(null, j.getSpec().getTemplate().getMetadata().getLabels());
            all.add(new Workload(j, j.getSpec().getTemplate(), selector, 1));
        }
        return all;
    }

    /** Workloads running the bank's image. */
    private static List<Workload> bankWorkloads() {
        List<Workload> bank = workloads().stream().filter(w -> !w.isKafka()).toList();
        assertThat(bank).isNotEmpty();
        return bank;
    }

    /** The workload whose container runs {@code bank <command>} ({@code kafka}: the brokers). */
    private static Workload workload(String command) {
        List<Workload> found = workloads().stream().filter(w -> command.equals("kafka") ? w.isKafka()
                : w.allContainers().stream().anyMatch(c -> c.getArgs() != null && c.getArgs().equals(List.of(command))))
                .toList();
        assertThat(found).as("one workload runs %s", command).hasSize(1);
        return found.get(0);
    }

    private static <T extends HasMetadata> List<T> resources(Class<T> type) {
        return documents.stream().map(KubernetesManifests.Document::resource).filter(type::isInstance).map(type::cast)
                .toList();
    }

    private static String name(HasMetadata r) {
        return r.getMetadata().getName();
    }

    /** The container's environment as its first pod (ordinal 0) sees it, references expanded. */
    private static Map<String, String> env(Workload w, Container c) {
        return env(w, c, 0);
    }

    private static Map<String, String> env(Workload w, Container c, int ordinal) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar v : c.getEnv()) {
            String value;
            if (v.getValueFrom() == null) {
                value = expand(Objects.requireNonNullElse(v.getValue(), ""), env);
            } else if (v.getValueFrom().getFieldRef() != null) {
                String field = v.getValueFrom().getFieldRef().getFieldPath();
                assertThat(field).as("%s %s", w.where(c), v.getName()).isIn("metadata.name", "metadata.namespace");
                value = field.equals("metadata.name") ? w.resource().getMetadata().getName() + "-" + ordinal : "bank";
            } else if (v.getValueFrom().getConfigMapKeyRef() != null) {
                String map = v.getValueFrom().getConfigMapKeyRef().getName();
                String key = v.getValueFrom().getConfigMapKeyRef().getKey();
                ConfigMap configMap = resources(ConfigMap.class).stream().filter(m -> name(m).equals(map)).findFirst()
                        .orElseThrow(() -> new AssertionError(w.where(c) + ": no ConfigMap " + map));
                value = configMap.getData().get(key);
                assertThat(value).as("%s: ConfigMap %s has %s", w.where(c), map, key).isNotNull();
            } else {
                throw new AssertionError(w.where(c) + " " + v.getName() + ": an unexpected valueFrom");
            }
            env.put(v.getName(), value);
        }
        return env;
    }

    /** Kubernetes' expansion: {@code $(NAME)} of an earlier variable, {@code $$} a literal dollar. */
    private static String expand(String value, Map<String, String> earlier) {
        StringBuilder out = new StringBuilder();
        Matcher m = ENV_REFERENCE.matcher(value);
        int at = 0;
        while (m.find()) {
            out.append(value, at, m.start());
            out.append(earlier.getOrDefault(m.group(1), m.group()));
            at = m.end();
        }
        return out.append(value.substring(at)).toString().replace("$$", "$");
    }

    private static Map<String, String> configEnv(Workload w, int ordinal, Path secrets) {
        return configEnv(w, w.containers().get(0), ordinal, secrets);
    }

    /**
     * The environment a service's {@code fromEnv} is given: the container's, with every {@code *_FILE} on a
     * mounted Secret replaced by a file here holding a made-up value of the kind {@code create-secrets.sh} makes.
     */
    private static Map<String, String> configEnv(Workload w, Container c, int ordinal, Path secrets) {
        Map<String, String> env = new HashMap<>(env(w, c, ordinal));
        env.replaceAll((name, value) -> {
            if (!name.endsWith("_FILE")) return value;
            Path file = secrets.resolve(value.substring(1));
            try {
                Files.createDirectories(file.getParent());
                Files.writeString(file, "made-up-for-the-test-0123456789abcdef".substring(0, 32));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return file.toString();
        });
        return env;
    }

    private static String value(Container c, String name) {
        return c.getEnv().stream().filter(v -> v.getName().equals(name)).findFirst().map(EnvVar::getValue).orElse(null);
    }

    private static String fieldRef(Container c, String name) {
        EnvVar v = c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name));
        return v.getValueFrom() == null || v.getValueFrom().getFieldRef() == null ? null
                : v.getValueFrom().getFieldRef().getFieldPath();
    }

    /** The mount a path lies on (the deepest mount at or above it), or null. */
    private static VolumeMount mountOf(Container c, String path) {
        VolumeMount best = null;
        for (VolumeMount m : Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
            if (Path.of(path).startsWith(Path.of(m.getMountPath()))
                    && (best == null || m.getMountPath().length() > best.getMountPath().length())) {
                best = m;
            }
        }
        return best;
    }

    /** The container port a probe or Service names (by name or number), or null when the container has none such. */
    private static Integer resolvePort(Workload w, Container c, IntOrString port) {
        for (ContainerPort p : c.getPorts()) {
            if (port.getIntVal() != null ? port.getIntVal().equals(p.getContainerPort()) : port.getStrVal().equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        return null;
    }

    private static ContainerPort containerPort(Workload w, int number) {
        return w.containers().get(0).getPorts().stream().filter(p -> p.getContainerPort() == number).findFirst().orElse(null);
    }

    /** An HTTP probe's path, after checking it asks the container's own port {@code port}. */
    private static String probePath(Workload w, Container c, Probe probe, int port) {
        assertThat(probe).as("%s probe", w.where(c)).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s: an HTTP probe", w.where(c)).isNotNull();
        assertThat(resolvePort(w, c, get.getPort())).as("%s probe port", w.where(c)).isEqualTo(port);
        return get.getPath();
    }

    /** Whether a NetworkPolicy selector (same namespace) selects the workload's pods. */
    private static boolean selects(LabelSelector selector, Workload w) {
        if (selector == null) return true;
        assertThat(selector.getMatchExpressions()).isNullOrEmpty();
        Map<String, String> match = Objects.requireNonNullElse(selector.getMatchLabels(), Map.of());
        return w.labels().entrySet().containsAll(match.entrySet());
    }

    /**
     * Whether the policies let {@code from}'s pods open a TCP connection to {@code to}'s pods on {@code port}: the
     * egress of some policy selecting {@code from} allows it (or none of its policies restricts egress), and the
     * ingress of some policy selecting {@code to} allows it (or none restricts ingress). Peers are this namespace's
     * pods (no namespaceSelector) or address blocks, which no pod here is taken to be in.
     */
    private static boolean allowed(List<NetworkPolicy> policies, Workload from, Workload to, int port) {
        return direction(policies, from, "Egress", to, port) && direction(policies, to, "Ingress", from, port);
    }

    private static boolean direction(List<NetworkPolicy> policies, Workload subject, String type, Workload peer, int port) {
        List<NetworkPolicy> applying = policies.stream().filter(p -> selects(p.getSpec().getPodSelector(), subject))
                .filter(p -> p.getSpec().getPolicyTypes().contains(type)).toList();
        if (applying.isEmpty()) return true;
        for (NetworkPolicy p : applying) {
            if (type.equals("Egress")) {
                for (var rule : p.getSpec().getEgress()) {
                    if (peersMatch(rule.getTo(), peer) && portsMatch(rule.getPorts(), port, peer)) return true;
                }
            } else {
                for (var rule : p.getSpec().getIngress()) {
                    if (peersMatch(rule.getFrom(), peer) && portsMatch(rule.getPorts(), port, subject)) return true;
                }
            }
        }
        return false;
    }

    private static boolean peersMatch(List<NetworkPolicyPeer> peers, Workload w) {
        if (peers == null || peers.isEmpty()) return true; // any peer
        for (NetworkPolicyPeer peer : peers) {
            if (peer.getNamespaceSelector() == null && peer.getIpBlock() == null && selects(peer.getPodSelector(), w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean portsMatch(List<NetworkPolicyPort> ports, int port, Workload destination) {
        if (ports == null || ports.isEmpty()) return true;
        for (NetworkPolicyPort p : ports) {
            if (p.getProtocol() != null && !p.getProtocol().equals("TCP")) continue;
            Integer number = p.getPort() == null ? null
                    : resolvePort(destination, destination.containers().get(0), p.getPort());
            if (p.getPort() == null || (number != null && number == port)
                    || (p.getPort().getIntVal() != null && p.getPort().getIntVal() == port)) {
                return true;
            }
        }
        return false;
    }

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

    private static JsonNode yaml(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.list(k8s)) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .filter(f -> !f.getFileName().toString().startsWith("kustomization.")).sorted().toList();
        }
    }

    /** {@code name:key} of every Secret {@code create-secrets.sh} makes (its SECRETS list). */
    private static List<String> secretsCreated() throws IOException {
        String script = Files.readString(k8s.resolve("create-secrets.sh"), StandardCharsets.UTF_8);
        Matcher list = Pattern.compile("(?s)SECRETS=\\((.*?)\\n\\)").matcher(script);
        assertThat(list.find()).as("create-secrets.sh has a SECRETS=( ... ) list").isTrue();
        List<String> entries = new ArrayList<>();
        for (String line : list.group(1).split("\n")) {
            String entry = line.replaceAll("#.*", "").trim();
            if (!entry.isEmpty()) entries.add(entry);
        }
        assertThat(entries).allMatch(e -> e.matches("bank-[a-z-]+:[a-z]+"));
        return entries;
    }

    private static String rootPomProperty(String name) throws IOException {
        String pom = Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertThat(m.find()).as("root pom property %s", name).isTrue();
        return m.group(1).trim();
    }

    /**
     * Every {@code "BANK_..."} string literal in {@code <module>/src/main/java} of every module, and every
     * {@code ${BANK_...}} of a {@code logback.xml}: the settings the services read (as ComposeFileTest finds them).
     */
    private static Set<String> bankVariablesInMainSources() throws IOException {
        Set<String> found = new TreeSet<>();
        List<Path> sourceRoots;
        try (Stream<Path> modules = Files.list(root)) {
            sourceRoots = modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList();
        }
        assertThat(sourceRoots).isNotEmpty();
        for (Path sourceRoot : sourceRoots) {
            try (Stream<Path> files = Files.walk(sourceRoot)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    Matcher m = BANK_LITERAL.matcher(Files.readString(file, StandardCharsets.UTF_8));
                    while (m.find()) found.add(m.group(1));
                }
            }
            Path logback = sourceRoot.resolveSibling("resources").resolve("logback.xml");
            if (Files.exists(logback)) {
                Matcher m = BANK_LOGBACK_VARIABLE.matcher(Files.readString(logback, StandardCharsets.UTF_8));
                while (m.find()) found.add(m.group(1));
            }
        }
        return found;
    }

    private static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/k8s")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no deploy/k8s above " + Path.of("").toAbsolutePath());
    }
}
