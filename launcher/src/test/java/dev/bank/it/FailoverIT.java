package dev.bank.it;

import dev.bank.schemas.Command;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static dev.bank.it.KafkaClients.COMMANDS;
import static dev.bank.it.KafkaClients.LEDGER;
import static dev.bank.it.KafkaClients.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two processors in JVMs of their own, with a standby of every task on the other, under a steady stream of credits and
 * a read load on accounts of every partition. One is killed with SIGKILL and comes back on an empty disk:
 * <ul>
 *   <li>before the kill the survivor holds standby tasks (warm copies of the victim's stores);</li>
 *   <li>during the takeover the survivor's own accounts never fail a read (the probe records every answer);</li>
 *   <li>the victim's accounts answer again, served by the survivor, which restored them from its standbys and not
 *       from scratch;</li>
 *   <li>the returning instance first warms up (standby tasks, no active ones, nothing restored as active) while the
 *       survivor keeps serving every account;</li>
 *   <li>no credit is lost or applied twice: one ledger entry per accepted transactionId, one outcome per command.</li>
 * </ul>
 * Behaviour only; the timings are measured by {@link FailoverMeasurements} and published in docs/performance.md.
 */
class FailoverIT {
    private static final Logger log = LoggerFactory.getLogger(FailoverIT.class);
    static final String APPLICATION_ID = "bank-failover";

    @TempDir
    Path dir;

    @Test
    void aKilledProcessorsAccountsMoveToWarmStandbysAndTheSurvivorsOwnKeepAnswering() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1);
             // the shipped session timeout (10 s): shorter ones also shorten the transaction timeout, which a loaded
             // test machine can outlast, fencing the survivor itself
             Pair pair = Pair.start(kafka, dir, Map.of(
                     // a wiped instance is far more than 20 records behind: it must warm up before taking tasks
                     "BANK_ACCEPTABLE_RECOVERY_LAG", "20"), "it")) {
            pair.awaitBalancedWithStandbys();
            ProcessorProcess victim = pair.processors.get(0);
            ProcessorProcess survivor = pair.processors.get(1);
            // Given both instances active, each with standbys of the other's tasks, under writes and reads
            Set<Integer> survivorsOwn = pair.activePartitions().get("it-1");
            assertThat(survivorsOwn).isNotEmpty();
            assertThat(metric(survivor, "bank_streams_tasks{kind=\"standby\"")).isPositive();
            long restoredBefore = (long) metric(survivor, "bank_restore_active_records_total");
            try (FailoverProbe probe = pair.probe()) {
                pair.awaitAllAnswering(probe);

                // When one is killed mid-transaction
                long killedAt = probe.nowMs();
                log.info("killing {} (SIGKILL)", victim.queryUrl());
                victim.kill();

                // Then every account answers again, the victim's from the survivor's warm copies (the takeover is
                // over once the survivor serves every partition as their owner, not merely from its copies)
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                        pair.activePartitions().getOrDefault("it-1", Set.of()).size() == Pair.PARTITIONS
                                && Pair.servesEveryPartition(survivor)
                                && probe.firstAllGood(pair.allPartitions(), probe.nowMs() - 300) > 0);
                long answering = probe.nowMs();
                // And the survivor's own accounts never failed a read meanwhile
                assertThat(probe.outages().entrySet()).as("outages of the survivor's own partitions %s (answers %s)",
                                survivorsOwn, probe.statuses())
                        .filteredOn(e -> survivorsOwn.contains(e.getKey()))
                        .allSatisfy(e -> assertThat(e.getValue()).as("partition %d", e.getKey())
                                .noneMatch(outage -> outage[1] > killedAt));
                long restoredByTakeover = (long) metric(survivor, "bank_restore_active_records_total") - restoredBefore;
                log.info("takeover: all partitions answer {} ms after the kill; survivor restored {} records as "
                        + "active; answers {}", answering - killedAt, restoredByTakeover, probe.statuses());

                // When the victim comes back on an empty disk (as after an unclean stop under exactly-once)
                deleteRecursively(pair.stateDir(0));
                long restartedAt = probe.nowMs();
                victim.launch();
                // Then it joins and warms up: standby tasks and no active ones, nothing restored as active
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> pair.activePartitions().containsKey("it-0")
                                && metric(victim, "bank_streams_tasks{kind=\"standby\"") > 0);
                for (int i = 0; i < 10; i++) {
                    assertThat(pair.activePartitions().get("it-0")).as("the returning instance's active tasks "
                            + "while it is still behind").isEmpty();
                    assertThat(metric(victim, "bank_restore_active_records_total")).isZero();
                    TimeUnit.MILLISECONDS.sleep(300);
                }
                // And meanwhile every account answers
                long checkedUntil = probe.nowMs();
                String outages = probe.describeOutages(pair.allPartitions(), restartedAt, checkedUntil);
                log.info("while the victim came back (restarted at {} ms, checked until {} ms): outages {}",
                        restartedAt, checkedUntil, outages);
                assertThat(probe.longestGap(pair.allPartitions(), restartedAt, checkedUntil))
                        .as("no account stopped answering when the victim came back (restarted at %d ms): %s",
                                restartedAt, outages)
                        .isLessThan(1000);
            }
            // And nothing was lost or applied twice
            pair.stopWriting();
            pair.assertEveryCreditAppliedOnce();
        }
    }

    /** A metric of a processor's /metrics, summed over its series (0 when absent). */
    static double metric(ProcessorProcess processor, String name) {
        return metric(processor.queryUrl(), name);
    }

    /** A metric of the processor whose query API is at {@code queryUrl}, summed over its series (0 when absent). */
    static double metric(String queryUrl, String name) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(queryUrl + "/metrics"))
                    .header("Authorization", "Bearer " + BankStack.SERVICE_TOKEN).timeout(Duration.ofSeconds(3))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.body().lines()
                    .filter(l -> l.startsWith(name.endsWith("\"") ? name : name + "{") || l.startsWith(name + " "))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) return;
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(Collections.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /**
     * Two processor JVMs (static members {@code <prefix>-0} and {@code <prefix>-1}), accounts on every partition, a
     * writer sending credits to them and the group's view of who runs which partitions.
     */
    static final class Pair implements AutoCloseable {
        static final int PARTITIONS = 6;
        final List<ProcessorProcess> processors = new ArrayList<>();
        final List<String> accounts;
        private final TestKafkaCluster kafka;
        private final BankStack stack;
        private final Path dir;
        private final String prefix;
        private final Admin admin;
        private final KafkaProducer<String, byte[]> producer;
        private final List<Command> sent = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean writing = new AtomicBoolean(true);
        private final Thread writer;

        private Pair(TestKafkaCluster kafka, Path dir, Map<String, String> settings, String prefix) {
            this.kafka = kafka;
            this.dir = dir;
            this.prefix = prefix;
            this.stack = new BankStack(kafka.bootstrapServers());
            assertThat(stack.topics().partitions()).isEqualTo(PARTITIONS);
            this.accounts = FailoverProbe.accountsOnEveryPartition(prefix + "-acct", PARTITIONS, 1);
            this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
            this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers(), ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                    new StringSerializer(), new ByteArraySerializer());
            for (int i = 0; i < 2; i++) {
                Map<String, String> env = new HashMap<>(settings);
                env.put("BANK_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
                env.put("BANK_APPLICATION_ID", APPLICATION_ID);
                env.put("BANK_STATE_DIR", stateDir(i).toString());
                env.put("BANK_PROCESSOR_INSTANCE_ID", prefix + "-" + i);
                processors.add(new ProcessorProcess(env, BankStack.freePort(),
                        ProcessorProcess.logDir().resolve("failover-" + prefix + "-processor-" + i + ".log")));
            }
            this.writer = new Thread(this::write, "failover-writer");
        }

        static Pair start(TestKafkaCluster kafka, Path dir, Map<String, String> settings, String prefix) {
            Pair pair = new Pair(kafka, dir, settings, prefix);
            try {
                pair.processors.forEach(ProcessorProcess::launch);
                pair.processors.forEach(p -> p.awaitRunning(Duration.ofSeconds(180)));
                for (String account : pair.accounts) pair.send(Command.open("open-" + account, account, "EUR", "100"));
                pair.writer.setDaemon(true);
                pair.writer.start();
                return pair;
            } catch (RuntimeException | Error e) {
                pair.close(); // no processor JVM outlives a failed start
                throw e;
            }
        }

        Path stateDir(int i) {
            return dir.resolve(prefix + "-p" + i);
        }

        Set<Integer> allPartitions() {
            Set<Integer> all = new TreeSet<>();
            for (int p = 0; p < PARTITIONS; p++) all.add(p);
            return all;
        }

        /** Reads balances through the processors' query APIs, first instance first, as the gateway does. */
        FailoverProbe probe() {
            return new FailoverProbe(processors.stream().map(ProcessorProcess::queryUrl).toList(), accounts,
                    i -> "/internal/accounts/" + accounts.get(i), PARTITIONS, BankStack.SERVICE_TOKEN,
                    Duration.ofMillis(100)).start();
        }

        /** Whether this processor serves every partition as their owner (not merely from its copies). */
        static boolean servesEveryPartition(ProcessorProcess processor) {
            return metric(processor, "bank_query_serving_partitions") == PARTITIONS;
        }

        /** Until both run active tasks and every account has been opened and answers. */
        void awaitBalancedWithStandbys() {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
                Map<String, Set<Integer>> active = activePartitions();
                log.info("waiting for both to run active tasks, with standbys: active {}, standbys {}", active,
                        processors.stream().map(p -> metric(p, "bank_streams_tasks{kind=\"standby\"")).toList());
                return active.size() == 2 && active.values().stream().noneMatch(Set::isEmpty)
                        && processors.stream().allMatch(p ->
                        metric(p, "bank_streams_tasks{kind=\"standby\"") > 0);
            });
        }

        /**
         * Until every account has answered 200 for two seconds: the opens are applied and the group is settled (a
         * loaded machine can make an instance's transaction time out right after the start, which costs a rebalance).
         */
        void awaitAllAnswering(FailoverProbe probe) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                long now = probe.nowMs();
                return now > 2000 && probe.longestGap(allPartitions(), now - 2000, now) == 0
                        && probe.firstAllGood(allPartitions(), now - 2000) > 0;
            });
        }

        /** Each instance's active partitions (of the commands topic), by its BANK_PROCESSOR_INSTANCE_ID. */
        Map<String, Set<Integer>> activePartitions() throws Exception {
            var group = admin.describeConsumerGroups(List.of(APPLICATION_ID)).all().get(10, TimeUnit.SECONDS)
                    .get(APPLICATION_ID);
            Map<String, Set<Integer>> result = new TreeMap<>();
            for (MemberDescription member : group.members()) {
                Set<Integer> partitions = member.assignment().topicPartitions().stream()
                        .filter(tp -> tp.topic().equals(stack.topics().commands()))
                        .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
                // Streams gives each stream thread's consumer the instance's id with "-<thread>" appended
                String instance = member.groupInstanceId().map(id -> id.replaceFirst("-[0-9]+$", ""))
                        .orElse(member.consumerId());
                result.computeIfAbsent(instance, i -> new TreeSet<>()).addAll(partitions);
            }
            return result;
        }

        private void write() {
            for (int n = 0; writing.get(); n++) {
                String account = accounts.get(n % accounts.size());
                send(Command.credit(prefix + "-credit-" + n, account, "1.01"));
                try {
                    TimeUnit.MILLISECONDS.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** A credit of 1.01 to {@code account}, counted like the writer's. */
        void credit(String transactionId, String account) {
            send(Command.credit(transactionId, account, "1.01"));
            producer.flush();
        }

        private void send(Command c) {
            producer.send(new ProducerRecord<>(stack.topics().commands(), c.accountId(), COMMANDS.serialize(c)));
            sent.add(c);
        }

        void stopWriting() throws InterruptedException {
            writing.set(false);
            writer.join(5000);
            producer.flush();
        }

        /** One outcome per command sent, one ledger entry per accepted credit, once both instances are done. */
        void assertEveryCreditAppliedOnce() {
            List<Command> commands = List.copyOf(sent);
            List<Outcome> outcomes = TopicReader.readUntil(kafka.bootstrapServers(), stack.topics().results(),
                            rs -> rs.size() >= commands.size()).stream().map(r -> OUTCOMES.deserialize(r.value()))
                    .toList();
            assertThat(outcomes).as("one outcome per command, none lost or doubled").hasSize(commands.size());
            Set<String> sentIds = commands.stream().map(c -> c.accountId() + "/" + c.transactionId())
                    .collect(Collectors.toSet());
            assertThat(outcomes.stream().map(o -> o.accountId() + "/" + o.transactionId()).collect(Collectors.toSet()))
                    .isEqualTo(sentIds);
            assertThat(outcomes).allMatch(Outcome::accepted);
            long credits = commands.stream().filter(c -> c.transactionId().startsWith(prefix + "-credit-")).count();
            List<LedgerEntry> ledger = TopicReader.readUntil(kafka.bootstrapServers(), stack.topics().ledger(),
                    rs -> rs.size() >= credits + accounts.size()).stream().map(r -> LEDGER.deserialize(r.value()))
                    .toList();
            Map<String, Long> perId = ledger.stream().collect(Collectors.groupingBy(
                    e -> e.accountId() + "/" + e.transactionId(), Collectors.counting()));
            assertThat(perId.values()).as("ledger entries per transactionId").allMatch(n -> n == 1L);
            assertThat(perId.keySet()).isEqualTo(sentIds);
            log.info("{} commands, each answered once and applied once", commands.size());
        }

        @Override
        public void close() {
            writing.set(false);
            writer.interrupt();
            producer.close(Duration.ofSeconds(5));
            processors.forEach(ProcessorProcess::close);
            admin.close(Duration.ofSeconds(5));
        }
    }
}
