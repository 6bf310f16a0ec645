package dev.bank.gateway.config;

import org.apache.kafka.common.utils.Utils;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Which partition of the replies topic this gateway instance reads, and so names on every command it publishes for
 * the processor to answer there. Two instances on one partition is safe (each request is matched by its own request
 * id; each instance skips the other's replies), only less efficient: each reads the other's replies too.
 *
 * @param instanceId this instance's stable name ({@code BANK_GATEWAY_INSTANCE_ID}, by default the host name: the pod
 *                   name under Kubernetes), from which the partition is derived when none is set
 * @param partition  the partition to read ({@code BANK_GATEWAY_REPLY_PARTITION}), or null to derive it from the
 *                   instance id: give each instance its own (e.g. a StatefulSet's ordinal) to be sure none share one
 */
public record ReplySettings(String instanceId, Integer partition) {

    public ReplySettings {
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("BANK_GATEWAY_INSTANCE_ID must not be blank");
        }
        if (partition != null && partition < 0) {
            throw new IllegalArgumentException("BANK_GATEWAY_REPLY_PARTITION must be 0 or more, not " + partition);
        }
    }

    public static ReplySettings fromEnv(Map<String, String> env) {
        String id = env.get("BANK_GATEWAY_INSTANCE_ID");
        if (id == null || id.isBlank()) id = hostName(env);
        String partition = env.get("BANK_GATEWAY_REPLY_PARTITION");
        try {
            return new ReplySettings(id.trim(),
                    partition == null || partition.isBlank() ? null : Integer.valueOf(partition.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("BANK_GATEWAY_REPLY_PARTITION is not a partition number: " + partition);
        }
    }

    /** The same, reading {@code p}. */
    public ReplySettings withPartition(Integer p) {
        return new ReplySettings(instanceId, p);
    }

    /**
     * The partition to read of a replies topic with {@code count} partitions: the one set, or the instance id's
     * (murmur2, as Kafka partitions a key), so a restarted instance reads the same one.
     *
     * @throws IllegalStateException when the partition set does not exist
     */
    public int partitionOf(int count) {
        if (partition == null) {
            return Utils.toPositive(Utils.murmur2(instanceId.getBytes(StandardCharsets.UTF_8))) % count;
        }
        if (partition >= count) {
            throw new IllegalStateException("BANK_GATEWAY_REPLY_PARTITION is " + partition
                    + " but the replies topic has " + count + " partitions (0 to " + (count - 1) + ")");
        }
        return partition;
    }

    /** Containers set HOSTNAME in the environment; elsewhere (a shell does not export it) the system's name. */
    private static String hostName(Map<String, String> env) {
        String host = env.get("HOSTNAME");
        if (host != null && !host.isBlank()) return host;
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
