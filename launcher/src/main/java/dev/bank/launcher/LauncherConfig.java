package dev.bank.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * The launcher's own settings, from environment variables:
 * <ul>
 *   <li>{@code BANK_DATA_DIR} (default {@code ./data}): broker data in {@code <dir>/kafka}, Streams state in
 *       {@code <dir>/streams};</li>
 *   <li>{@code BANK_KAFKA_PORT} (9092) and {@code BANK_CONTROLLER_PORT} (9093): the embedded broker's ports;</li>
 *   <li>{@code BANK_BOOTSTRAP_SERVERS} (default {@code 127.0.0.1:<BANK_KAFKA_PORT>}): the Kafka the
 *       {@code processor} and {@code gateway} subcommands use; {@code local} always uses its embedded broker;</li>
 *   <li>for {@code broker} as one node of a cluster ({@link EmbeddedBroker.Node}): {@code BANK_NODE_ID} (1),
 *       {@code BANK_BROKER_HOST} (127.0.0.1: the address it is reached at), {@code BANK_BROKER_BIND_HOST} (the
 *       broker host), {@code BANK_CONTROLLER_QUORUM_VOTERS} ({@code id@host:port,...}; default: this node alone)
 *       and {@code BANK_CLUSTER_ID} (required with several voters, the same on all of them).</li>
 * </ul>
 */
public record LauncherConfig(Path dataDir, int kafkaPort, int controllerPort, String bootstrapServers,
                             EmbeddedBroker.Node node) {

    public static final String DEFAULT_DATA_DIR = "./data";

    public LauncherConfig {
        if (kafkaPort < 0 || kafkaPort > 65535) throw new IllegalArgumentException("bad BANK_KAFKA_PORT " + kafkaPort);
        if (controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("bad BANK_CONTROLLER_PORT " + controllerPort);
        }
        if (kafkaPort != 0 && kafkaPort == controllerPort) {
            throw new IllegalArgumentException("BANK_KAFKA_PORT and BANK_CONTROLLER_PORT are both " + kafkaPort);
        }
        dataDir = dataDir.toAbsolutePath().normalize();
    }

    public static LauncherConfig fromEnv(Map<String, String> env) {
        int kafkaPort = port(env, "BANK_KAFKA_PORT", EmbeddedBroker.DEFAULT_BROKER_PORT);
        int controllerPort = port(env, "BANK_CONTROLLER_PORT", EmbeddedBroker.DEFAULT_CONTROLLER_PORT);
        String dataDir = nonBlank(env.get("BANK_DATA_DIR"), DEFAULT_DATA_DIR);
        String brokerHost = nonBlank(env.get("BANK_BROKER_HOST"), EmbeddedBroker.HOST);
        String bootstrap = nonBlank(env.get("BANK_BOOTSTRAP_SERVERS"), brokerHost + ":" + kafkaPort);
        int nodeId;
        try {
            nodeId = Integer.parseInt(nonBlank(env.get("BANK_NODE_ID"), String.valueOf(EmbeddedBroker.NODE_ID)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BANK_NODE_ID is not a number: " + env.get("BANK_NODE_ID"), e);
        }
        EmbeddedBroker.Node node = new EmbeddedBroker.Node(nodeId, brokerHost,
                nonBlank(env.get("BANK_BROKER_BIND_HOST"), brokerHost), env.get("BANK_CONTROLLER_QUORUM_VOTERS"),
                env.get("BANK_CLUSTER_ID"));
        return new LauncherConfig(Path.of(dataDir), kafkaPort, controllerPort, bootstrap, node);
    }

    /** {@code <dataDir>/kafka}: the embedded broker's log directory. */
    public Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    /** {@code <dataDir>/streams}: the processor's Kafka Streams state directory. */
    public Path streamsDir() {
        return dataDir.resolve("streams");
    }

    private static int port(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a port number: " + v, e);
        }
    }

    private static String nonBlank(String v, String dflt) {
        return v == null || v.isBlank() ? dflt : v.trim();
    }
}
