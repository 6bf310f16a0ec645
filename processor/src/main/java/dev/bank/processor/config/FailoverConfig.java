package dev.bank.processor.config;

import java.util.Map;

/**
 * How a processor group survives the loss of an instance and takes one back: group membership, how fast a death is
 * noticed, and when tasks may move. The reasons for each default are in docs/operations.md (failover) and
 * docs/design.md (failure behaviour); the measurements behind them in docs/performance.md.
 *
 * @param instanceId                 {@code group.instance.id} (static membership): an instance restarted under the same
 *                                   id within the session timeout gets its own tasks back without a rebalance; null
 *                                   for dynamic membership. Must be unique in the group (a pod name, a host name)
 * @param heartbeatIntervalMs        how often the instance tells the group it lives, and how soon it learns that a
 *                                   rebalance began (a death is acted on within one interval of being noticed)
 * @param transactionTimeoutMs       how long a killed instance's open transaction blocks the partitions it wrote
 *                                   before the broker aborts it; no longer than the session timeout, so a takeover
 *                                   waits at most the broker's abort check interval for it
 * @param acceptableRecoveryLag      records (summed over a task's changelogs) an instance may be behind and still be
 *                                   given the task as active; further behind, it warms up first as a standby
 * @param maxWarmupReplicas          how many tasks may warm up at once on a returning or new instance
 * @param probingRebalanceIntervalMs how often the group checks whether warm-ups have caught up and may take over
 */
public record FailoverConfig(String instanceId, int heartbeatIntervalMs, int transactionTimeoutMs,
                             long acceptableRecoveryLag, int maxWarmupReplicas, long probingRebalanceIntervalMs) {

    /** Kafka's floor for {@code probing.rebalance.interval.ms}. */
    public static final long MIN_PROBING_INTERVAL_MS = 60_000;

    public FailoverConfig {
        if (instanceId != null && (instanceId.isBlank() || instanceId.length() > 249
                || !instanceId.matches("[A-Za-z0-9._-]+"))) {
            // Kafka takes any string; a bounded, printable one keeps logs and group listings readable
            throw new IllegalArgumentException("BANK_PROCESSOR_INSTANCE_ID must be 1-249 characters of A-Z a-z 0-9 . _ -, "
                    + "was '" + instanceId + "'");
        }
        positive("BANK_HEARTBEAT_INTERVAL_MS", heartbeatIntervalMs);
        positive("BANK_TRANSACTION_TIMEOUT_MS", transactionTimeoutMs);
        if (acceptableRecoveryLag < 0) {
            throw new IllegalArgumentException("BANK_ACCEPTABLE_RECOVERY_LAG must be >= 0, was " + acceptableRecoveryLag);
        }
        positive("BANK_MAX_WARMUP_REPLICAS", maxWarmupReplicas);
        if (probingRebalanceIntervalMs < MIN_PROBING_INTERVAL_MS) {
            throw new IllegalArgumentException("BANK_PROBING_REBALANCE_INTERVAL_MS must be >= " + MIN_PROBING_INTERVAL_MS
                    + " (Kafka's minimum), was " + probingRebalanceIntervalMs);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    /**
     * The settings from the environment. Defaults that depend on the session timeout follow it: heartbeats every
     * 500 ms (at most a tenth of it), a transaction timeout equal to it.
     */
    public static FailoverConfig fromEnv(Map<String, String> env, int sessionTimeoutMs) {
        String id = env.get("BANK_PROCESSOR_INSTANCE_ID");
        return new FailoverConfig(
                id == null || id.isBlank() ? null : id.trim(),
                Integer.parseInt(env.getOrDefault("BANK_HEARTBEAT_INTERVAL_MS",
                        String.valueOf(Math.max(100, Math.min(500, sessionTimeoutMs / 10))))),
                Integer.parseInt(env.getOrDefault("BANK_TRANSACTION_TIMEOUT_MS",
                        String.valueOf(sessionTimeoutMs))),
                Long.parseLong(env.getOrDefault("BANK_ACCEPTABLE_RECOVERY_LAG", "500")),
                Integer.parseInt(env.getOrDefault("BANK_MAX_WARMUP_REPLICAS", "2")),
                Long.parseLong(env.getOrDefault("BANK_PROBING_REBALANCE_INTERVAL_MS",
                        String.valueOf(MIN_PROBING_INTERVAL_MS))));
    }

    public FailoverConfig withInstanceId(String id) {
        return new FailoverConfig(id, heartbeatIntervalMs, transactionTimeoutMs, acceptableRecoveryLag,
                maxWarmupReplicas, probingRebalanceIntervalMs);
    }
}
