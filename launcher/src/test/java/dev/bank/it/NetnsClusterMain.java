package dev.bank.it;

import dev.bank.gateway.auth.Scope;
import dev.bank.schemas.Topics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * NetworkFaultsIT's cluster (3 brokers, 2 processors, 2 gateways, each in its own network namespace), started on its
 * own and kept up for the bench to measure: {@code java -cp <launcher test classpath> dev.bank.it.NetnsClusterMain
 * <env file>} writes the {@code BANK_BENCH_*} settings that point {@code ./bank bench} at it (gateway1, processor1,
 * the three brokers, a token of the principal {@code bench}) to the env file and runs until its standard input closes
 * or it is stopped (Ctrl-C, SIGTERM), then removes everything. Needs root. The nodes run with the JVM's usual JIT
 * here (the test trades peak speed for start-up), and {@code -Dbank.netns.processors=N} sets how many processors.
 */
public final class NetnsClusterMain {
    private NetnsClusterMain() {}

    public static void main(String[] args) throws Exception {
        Path envFile = Path.of(args.length > 0 ? args[0] : "target/netns-cluster.env").toAbsolutePath();
        String why = Netns.unavailable();
        if (why != null) throw new IllegalStateException("network namespaces unavailable: " + why);
        Path logs = Path.of("target", "netns-logs", "cluster-" + System.currentTimeMillis()).toAbsolutePath();
        int processors = Integer.getInteger("bank.netns.processors", 2);
        Map<String, String> settings = Map.of("BANK_STANDBY_REPLICAS", "1", "BANK_SESSION_TIMEOUT_MS", "6000",
                "BANK_FRAUD_ENABLED", "false");
        NetnsCluster cluster = new NetnsCluster(processors, 2, logs, settings,
                List.of("-Xmx512m", "-Djava.net.preferIPv4Stack=true"));
        // as the bench's own in-process bank has them: its one principal sends far more than a customer may, and its
        // closed loop of 1,000 requests waits behind a backlog longer than the default 5 s before a 202
        cluster.gateways.forEach(g -> g.env.putAll(Map.of("BANK_RATE_LIMIT_PER_SECOND", "10000000",
                "BANK_OUTCOME_TIMEOUT", "PT30S")));
        Duration start = Duration.ofSeconds(Long.getLong("bank.netns.startSeconds", 600));
        cluster.startBrokers(Topics.defaults().withReplication((short) 3), start);
        cluster.processors.forEach(NetnsCluster.Node::launch);
        cluster.gateways.forEach(NetnsCluster.Node::launch);
        for (NetnsCluster.Node p : cluster.processors) cluster.awaitProcessor(p, start, "start");
        for (NetnsCluster.Node g : cluster.gateways) cluster.awaitGateway(g, start, "start");
        String env = String.join("\n",
                "export BANK_BENCH_BOOTSTRAP_SERVERS=" + cluster.bootstrapServers(),
                "export BANK_BENCH_GATEWAY_URL=" + cluster.gateways.get(0).url(NetnsCluster.GATEWAY_PORT),
                "export BANK_BENCH_PROCESSOR_URL=" + cluster.processors.get(0).url(NetnsCluster.QUERY_PORT),
                "export BANK_BENCH_TOKEN=" + BankStack.token("bench", Scope.READ, Scope.WRITE),
                "export BANK_SERVICE_TOKEN=" + BankStack.SERVICE_TOKEN,
                "export BANK_INTERNAL_REPLICATION=3",
                "export BANK_TOPIC_REPLICATION=3",
                "# gateway2: " + cluster.gateways.get(1).url(NetnsCluster.GATEWAY_PORT) + ", logs: " + logs, "");
        Files.writeString(envFile, env);
        System.out.println("cluster up; settings for ./bank bench in " + envFile + "; close stdin or Ctrl-C to stop");
        try (cluster) {
            while (System.in.read() >= 0) {
                // runs until its input closes
            }
        }
        Files.deleteIfExists(envFile);
    }
}
