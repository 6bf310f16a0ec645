package dev.bank.it;

import dev.bank.launcher.TopicCreator;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.Topics;
import dev.bank.schemas.TransferStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.bank.it.KafkaClients.COMMANDS;
import static dev.bank.it.KafkaClients.LEDGER;
import static dev.bank.it.KafkaClients.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bank test, in the spirit of Jepsen's bank workload: a seeded random mix of opens, credits, debits,
 * transfers (some refunded) and retries over 30 accounts in two currencies, hot accounts taking most of it, on
 * a 3-broker KRaft cluster with two processor instances in their own JVMs. While it runs one instance is killed
 * with SIGKILL and later restarted (rebalances both times). A share of hostile records goes in with the workload
 * (commands on a wrong partition, records of almost a megabyte, duplicate-key documents): each is dead-lettered
 * or, for a misplaced command, applied like the others, and nothing stops. Then it checks what a bank must
 * guarantee:
 * <ul>
 *   <li>every command has exactly one first outcome, and every accepted one exactly one ledger posting;</li>
 *   <li>every transfer that was debited was completed or refunded, exactly once;</li>
 *   <li>each account's ledger is a gapless chain that never goes below zero, and the balance the query API
 *       serves (through either instance) equals the replay of that chain;</li>
 *   <li>per currency, the sum of balances equals external credits minus external debits.</li>
 * </ul>
 * {@code -Dbank.soak=true} runs the long variant (more records, a kill of each instance in turn, repeatedly);
 * {@code -Dbank.seed=N} replays a run.
 */
class BankInvariantIT {
    private static final Logger log = LoggerFactory.getLogger(BankInvariantIT.class);
    private static final boolean SOAK = Boolean.getBoolean("bank.soak");
    private static final int OPERATIONS = Integer.getInteger("bank.operations", SOAK ? 40_000 : 3_000);
    private static final int KILLS = SOAK ? 4 : 1;

    @TempDir
    Path dir;

    @Test
    void conservesMoneyThroughTransfersRetriesAndACrashedProcessor() throws Exception {
        long seed = Long.getLong("bank.seed", System.nanoTime());
        log.info("bank test: seed={} operations={} kills={} (replay with -Dbank.seed={})", seed, OPERATIONS, KILLS, seed);
        try (TestKafkaCluster kafka = TestKafkaCluster.start(3)) {
            Topics topics = Topics.defaults().withReplication(kafka.maxReplication());
            TopicCreator.createAll(kafka.bootstrapServers(), topics.specs(), Duration.ofSeconds(60));
            Path logs = ProcessorProcess.logDir().resolve("bank-" + seed);
            Map<String, String> env = Map.of(
                    "BANK_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "BANK_APPLICATION_ID", "bank-test",
                    "BANK_INTERNAL_REPLICATION", String.valueOf(kafka.maxReplication()),
                    "BANK_STANDBY_REPLICAS", "1",
                    "BANK_SESSION_TIMEOUT_MS", "6000");
            List<ProcessorProcess> processors = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Map<String, String> own = new HashMap<>(env);
                own.put("BANK_STATE_DIR", dir.resolve("p" + i).toString());
                processors.add(new ProcessorProcess(own, BankStack.freePort(), logs.resolve("processor-" + i + ".log")));
            }
            try (var producer = producer(kafka.bootstrapServers())) {
                processors.forEach(ProcessorProcess::start);

                // Given a running bank, When the workload runs and instances crash and come back under it
                BankWorkload workload = new BankWorkload(seed);
                Set<String> commands = new HashSet<>();
                Hostile hostile = new Hostile(seed, topics.partitions());
                send(producer, topics, workload.opens(), commands);
                awaitFinalOutcomes(kafka.bootstrapServers(), topics, commands);
                QueryPoller poller = new QueryPoller(processors);
                poller.start();
                int slice = OPERATIONS / (3 * KILLS + 1);
                for (int k = 0; k < KILLS; k++) {
                    ProcessorProcess victim = processors.get(k % processors.size());
                    hostile.send(producer, topics, workload.next(slice), commands);
                    log.info("killing processor {} (SIGKILL) with work in flight", victim.queryUrl());
                    long killedAt = System.nanoTime();
                    victim.kill();
                    hostile.send(producer, topics, workload.next(slice), commands);
                    awaitFinalOutcomes(kafka.bootstrapServers(), topics, commands);
                    log.info("the survivor answered everything sent so far {} ms after the kill",
                            Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
                    log.info("restarting processor {} while more work arrives", victim.queryUrl());
                    victim.launch();
                    hostile.send(producer, topics, workload.next(slice), commands);
                    victim.awaitRunning(Duration.ofSeconds(120));
                }
                hostile.send(producer, topics, workload.next(OPERATIONS - 3 * KILLS * slice), commands);

                // Then every command gets its final outcome
                Map<String, Outcome> first = awaitFinalOutcomes(kafka.bootstrapServers(), topics, commands);
                poller.stopAndCheckNoAccountWasEverReportedMissing();
                List<LedgerEntry> ledger = readLedger(kafka.bootstrapServers(), topics, expectedPostings(first));
                log.info("bank test: {} commands, {} ledger entries", commands.size(), ledger.size());

                aStrangerMovedNoMoneyAndLearntNothing(first);
                everyAcceptedCommandIsPostedExactlyOnce(first, ledger);
                everyDebitedTransferIsCompletedOrRefundedOnce(first, ledger);
                Map<String, Long> replayed = everyAccountIsAGaplessChainThatNeverGoesNegative(ledger);
                for (ProcessorProcess p : processors) servedBalancesEqualTheLedger(p, replayed, first);
                moneyIsConservedPerCurrency(ledger, replayed);
                hostile.everyHostileRecordWasDeadLettered(kafka.bootstrapServers(), topics);
            } finally {
                processors.forEach(ProcessorProcess::close);
            }
        }
    }

    /**
     * Asks both instances about existing accounts over and over while instances die and partitions move: the
     * answer may be 200, or 503 (retry) while ownership is unsettled, or no answer from a dead instance, but
     * never 404 for an account that exists.
     */
    private static final class QueryPoller {
        private final List<ProcessorProcess> instances;
        private final Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        private final Thread thread = new Thread(this::poll, "query-poller");
        private final java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(500)).build();

        QueryPoller(List<ProcessorProcess> instances) {
            this.instances = instances;
        }

        void start() {
            thread.start();
        }

        private void poll() {
            List<String> accounts = Stream.concat(BankWorkload.EUR.stream(), BankWorkload.USD.stream()).toList();
            long deadline = System.nanoTime() + Duration.ofMinutes(SOAK ? 30 : 10).toNanos();
            for (int i = 0; running.get() && System.nanoTime() < deadline; i++) {
                ProcessorProcess instance = instances.get(i % instances.size());
                String account = accounts.get(i % accounts.size());
                var request = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(instance.queryUrl() + "/internal/accounts/" + account))
                        .header("Authorization", "Bearer " + BankStack.SERVICE_TOKEN)
                        .timeout(Duration.ofSeconds(5)).build();
                int status;
                try {
                    status = client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException e) {
                    status = 0; // the instance is down: no answer at all
                } catch (InterruptedException e) {
                    return;
                }
                statuses.merge(status, 1, Integer::sum);
                if (status == 404) log.error("{} reported {} missing", instance.queryUrl(), account);
            }
        }

        void stopAndCheckNoAccountWasEverReportedMissing() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
            log.info("bank test: queries during kills and rebalances by status (0 = instance down): {}", statuses);
            assertThat(statuses).as("queries answered during the run").containsKey(200);
            assertThat(statuses).as("never a wrong 404 for an existing account").doesNotContainKey(404);
        }
    }

    // ---- the workload ----

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_048_000),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, Topics topics, List<Command> batch,
                             Set<String> commands) {
        for (Command c : batch) {
            producer.send(new ProducerRecord<>(topics.commands(), c.accountId(), COMMANDS.serialize(c)));
            commands.add(key(c.accountId(), c.transactionId()));
        }
        producer.flush();
    }

    /**
     * A share of hostile records among the workload's: commands sent to a partition their key does not hash to (they
     * must still be applied, to their one account), records of almost a megabyte, and documents with a key twice
     * (both dead-lettered, never applied). Seeded like the workload.
     */
    private static final class Hostile {
        private final java.util.Random random;
        private final int partitions;
        private int deadLettered;
        private int misplaced;

        Hostile(long seed, int partitions) {
            this.random = new java.util.Random(seed ^ 0x5DEECE66DL);
            this.partitions = partitions;
        }

        void send(KafkaProducer<String, byte[]> producer, Topics topics, List<Command> batch, Set<String> commands) {
            for (Command c : batch) {
                int roll = random.nextInt(100);
                byte[] value = COMMANDS.serialize(c);
                if (roll < 10) {
                    int own = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils
                            .murmur2(c.accountId().getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
                    producer.send(new ProducerRecord<>(topics.commands(), (own + 1 + random.nextInt(partitions - 1))
                            % partitions, c.accountId(), value));
                    misplaced++;
                } else {
                    producer.send(new ProducerRecord<>(topics.commands(), c.accountId(), value));
                }
                commands.add(key(c.accountId(), c.transactionId()));
                if (roll >= 99) {
                    byte[] huge = new byte[900_000 + random.nextInt(100_000)];
                    java.util.Arrays.fill(huge, (byte) '{');
                    producer.send(new ProducerRecord<>(topics.commands(), c.accountId(), huge));
                    deadLettered++;
                } else if (roll >= 96) {
                    String twice = "{\"type\":\"CREDIT\",\"transactionId\":\"twice-" + random.nextLong()
                            + "\",\"accountId\":\"" + c.accountId() + "\",\"amount\":\"1\",\"amount\":\"500\"}";
                    producer.send(new ProducerRecord<>(topics.commands(), c.accountId(),
                            twice.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                    deadLettered++;
                }
            }
            producer.flush();
        }

        void everyHostileRecordWasDeadLettered(String bootstrap, Topics topics) {
            log.info("bank test: {} commands sent to a wrong partition, {} hostile records", misplaced, deadLettered);
            assertThat(misplaced).as("misplaced commands in the run").isPositive();
            assertThat(deadLettered).as("hostile records in the run").isPositive();
            List<ConsumerRecord<String, byte[]>> letters = TopicReader.readUntil(bootstrap, topics.deadLetter(),
                    rs -> rs.size() >= deadLettered, Duration.ofSeconds(120));
            assertThat(letters).as("one dead letter per hostile record, nothing else").hasSize(deadLettered);
        }
    }

    private static String key(String accountId, String transactionId) {
        return accountId + "/" + transactionId;
    }

    // ---- reading the results ----

    /** The first (non-replayed) outcome of every command, once all are final; exactly one each. */
    private static Map<String, Outcome> awaitFinalOutcomes(String bootstrap, Topics topics, Set<String> commands) {
        Map<String, Outcome> first = new HashMap<>();
        Map<String, Integer> firsts = new HashMap<>();
        int[] parsed = {0};
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readUntil(bootstrap, topics.results(), rs -> {
            for (; parsed[0] < rs.size(); parsed[0]++) {
                Outcome o = OUTCOMES.deserialize(rs.get(parsed[0]).value());
                if (o.replayed()) continue;
                String k = key(o.accountId(), o.transactionId());
                first.putIfAbsent(k, o);
                firsts.merge(k, 1, Integer::sum);
            }
            return first.keySet().containsAll(commands);
        }, Duration.ofSeconds(SOAK ? 900 : 240));
        assertThat(first.keySet()).as("an outcome for every command and nothing else").isEqualTo(commands);
        assertThat(firsts.values()).as("exactly one first outcome per command: nothing applied twice")
                .allMatch(n -> n == 1);
        assertThat(first.values()).as("no command left pending")
                .noneMatch(o -> o.status() == OutcomeStatus.PENDING);
        log.info("bank test: {} outcome records read", records.size());
        return first;
    }

    private static int expectedPostings(Map<String, Outcome> first) {
        int n = 0;
        for (Outcome o : first.values()) {
            if (o.type() == CommandType.TRANSFER && o.transferStatus() != TransferStatus.REJECTED) n += 2;
            else if (o.accepted() && o.amountMinor() != null && o.amountMinor() > 0) n += 1;
        }
        return n;
    }

    private static List<LedgerEntry> readLedger(String bootstrap, Topics topics, int expected) {
        return TopicReader.readUntil(bootstrap, topics.ledger(), rs -> rs.size() >= expected, Duration.ofSeconds(120))
                .stream().map(r -> LEDGER.deserialize(r.value())).toList();
    }

    // ---- the invariants ----

    private static void aStrangerMovedNoMoneyAndLearntNothing(Map<String, Outcome> first) {
        List<Outcome> strangers = first.values().stream()
                .filter(o -> BankWorkload.STRANGER.equals(o.principal())).toList();
        assertThat(strangers).as("commands sent by a principal who owns no account").isNotEmpty()
                .allSatisfy(o -> {
                    assertThat(o.reason()).isEqualTo(dev.bank.schemas.RejectionReason.ACCOUNT_NOT_FOUND);
                    assertThat(o.balanceMinor()).isNull();
                });
        assertThat(first.values()).filteredOn(o -> !BankWorkload.STRANGER.equals(o.principal()))
                .allMatch(o -> BankWorkload.CUSTOMER.equals(o.principal()));
    }

    private static void everyAcceptedCommandIsPostedExactlyOnce(Map<String, Outcome> first, List<LedgerEntry> ledger) {
        Map<String, Long> postings = ledger.stream()
                .collect(Collectors.groupingBy(e -> key(e.accountId(), e.transactionId()) + "/" + e.type(),
                        Collectors.counting()));
        assertThat(postings.values()).as("no posting appears twice").allMatch(n -> n == 1);
        Set<String> expected = new HashSet<>();
        for (Outcome o : first.values()) {
            String k = key(o.accountId(), o.transactionId());
            switch (o.type()) {
                case OPEN_ACCOUNT -> {
                    if (o.accepted() && o.amountMinor() > 0) expected.add(k + "/" + EntryType.OPENING_DEPOSIT);
                }
                case CREDIT, DEBIT -> {
                    if (o.accepted()) expected.add(k + "/" + EntryType.valueOf(o.type().name()));
                }
                case TRANSFER -> {
                    if (o.transferStatus() == TransferStatus.COMPLETED) {
                        expected.add(k + "/" + EntryType.TRANSFER_OUT);
                        expected.add(key(o.toAccountId(), o.transactionId()) + "/" + EntryType.TRANSFER_IN);
                    } else if (o.transferStatus() == TransferStatus.REFUNDED) {
                        expected.add(k + "/" + EntryType.TRANSFER_OUT);
                        expected.add(k + "/" + EntryType.TRANSFER_REFUND);
                    }
                }
            }
        }
        assertThat(postings.keySet()).as("the ledger holds exactly the accepted commands' postings")
                .isEqualTo(expected);
    }

    private static void everyDebitedTransferIsCompletedOrRefundedOnce(Map<String, Outcome> first, List<LedgerEntry> ledger) {
        Map<String, List<EntryType>> legs = ledger.stream().filter(e -> e.transferId() != null)
                .collect(Collectors.groupingBy(e -> e.counterpartyAccountId().compareTo(e.accountId()) < 0
                                ? e.transferId() + "@" + e.counterpartyAccountId() + ">" + e.accountId()
                                : e.transferId() + "@" + e.accountId() + ">" + e.counterpartyAccountId(),
                        Collectors.mapping(LedgerEntry::type, Collectors.toList())));
        Set<Set<EntryType>> complete = Set.of(Set.of(EntryType.TRANSFER_OUT, EntryType.TRANSFER_IN),
                Set.of(EntryType.TRANSFER_OUT, EntryType.TRANSFER_REFUND));
        for (var transfer : legs.entrySet()) {
            assertThat(transfer.getValue()).as("legs of " + transfer.getKey()).hasSize(2);
            assertThat(complete).as("legs of " + transfer.getKey()).contains(Set.copyOf(transfer.getValue()));
        }
        long debited = first.values().stream().filter(o -> o.type() == CommandType.TRANSFER)
                .filter(o -> o.transferStatus() == TransferStatus.COMPLETED || o.transferStatus() == TransferStatus.REFUNDED)
                .count();
        assertThat(legs).as("every debited transfer has its pair of legs").hasSize((int) debited);
        log.info("bank test: {} transfers debited, {} refunded", debited, first.values().stream()
                .filter(o -> o.transferStatus() == TransferStatus.REFUNDED).count());
    }

    /** Replays each account's entries in sequence order; returns the balances it arrives at. */
    private static Map<String, Long> everyAccountIsAGaplessChainThatNeverGoesNegative(List<LedgerEntry> ledger) {
        Map<String, Long> balances = new LinkedHashMap<>();
        Map<String, List<LedgerEntry>> byAccount = ledger.stream()
                .collect(Collectors.groupingBy(LedgerEntry::accountId));
        for (var account : byAccount.entrySet()) {
            long balance = 0;
            long sequence = 0;
            for (LedgerEntry e : account.getValue()) { // one partition per account: topic order is posting order
                assertThat(e.sequence()).as(account.getKey() + " sequence").isEqualTo(++sequence);
                assertThat(e.balanceBeforeMinor()).as(account.getKey() + " chain at " + sequence).isEqualTo(balance);
                balance += e.type().sign() * e.amountMinor();
                assertThat(e.balanceAfterMinor()).as(account.getKey() + " after " + sequence).isEqualTo(balance);
                assertThat(balance).as(account.getKey() + " never below its limit (0)").isNotNegative();
            }
            balances.put(account.getKey(), balance);
        }
        return balances;
    }

    private static void servedBalancesEqualTheLedger(ProcessorProcess instance, Map<String, Long> replayed,
                                                     Map<String, Outcome> first) {
        Http query = BankStack.query(instance.queryUrl());
        Stream.concat(BankWorkload.EUR.stream(), BankWorkload.USD.stream()).forEach(account -> {
            var answer = query.get("/internal/accounts/" + account);
            assertThat(answer.status()).as(account + " via " + instance.queryUrl()).isEqualTo(200);
            assertThat(answer.body().get("balanceMinor").asLong()).as(account + " via " + instance.queryUrl())
                    .isEqualTo(replayed.getOrDefault(account, 0L));
        });
        assertThat(query.get("/internal/accounts/ghost-0").status()).as("unknown stays unknown").isEqualTo(404);
    }

    private static void moneyIsConservedPerCurrency(List<LedgerEntry> ledger, Map<String, Long> balances) {
        Map<String, Long> external = new HashMap<>();
        Map<String, Long> held = new HashMap<>();
        for (LedgerEntry e : ledger) {
            if (e.type().external()) external.merge(e.currency(), e.type().sign() * e.amountMinor(), Long::sum);
        }
        ledger.stream().collect(Collectors.toMap(LedgerEntry::accountId, LedgerEntry::currency, (a, b) -> a))
                .forEach((account, currency) -> held.merge(currency, balances.get(account), Long::sum));
        log.info("bank test: held per currency {} = external credits - debits {}", held, external);
        assertThat(held).as("sum of balances per currency (nothing left in flight)").isEqualTo(external);
    }
}
