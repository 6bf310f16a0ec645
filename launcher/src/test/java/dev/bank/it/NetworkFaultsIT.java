package dev.bank.it;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Topics;
import dev.bank.schemas.TransferStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.bank.it.RestTraffic.Answer.APPLIED;
import static dev.bank.it.RestTraffic.Answer.NEVER;
import static dev.bank.it.RestTraffic.Answer.REFUSED;
import static dev.bank.it.RestTraffic.Answer.UNKNOWN;
import static dev.bank.it.RestTraffic.Answer.WRONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The bank test across a network: 3 Kafka brokers (a 3-voter KRaft quorum, topics replicated 3 times, 2 in sync
 * needed), 2 processors and 2 gateways, each a separate process in a network namespace of its own ({@link
 * NetnsCluster}), while the workload ({@link BankWorkload}: opens, credits, debits, transfers, some refunded or
 * refused, retries) goes to the gateways over REST as a client sends it ({@link RestTraffic}). In turn, each under
 * traffic and then healed: a processor killed and restarted, a broker killed and restarted, a gateway killed and
 * restarted, a processor cut off from every broker (its sessions expire, its partitions move, it comes back fenced),
 * and a broker's link slowed to 256 kbit/s. After each, the bank must answer again (a probe credit, retried, within a
 * minute). Then everything is checked against what the workload sent and was answered, not only against the ledger:
 * <ul>
 *   <li>no answer was malformed, an error of the client's (4xx without a reason), another transaction's, or a 500;</li>
 *   <li>each transactionId's definite answers agree; one whose every answer was unknown (202, 503, time-out, broken
 *       connection) is resolved by reading its outcome through a gateway: applied, refused or never received;</li>
 *   <li>the results topic has exactly one outcome for each transactionId the bank received and none other, and it says
 *       what the client was told: applied ones accepted (a transfer COMPLETED) for the amount sent, refused ones
 *       refused (a transfer refunded or rejected);</li>
 *   <li>the ledger has exactly the postings of the accepted commands, once each, for the amounts sent, every account a
 *       gapless chain, every debited transfer completed or refunded, money conserved per currency
 *       ({@link BankInvariantIT}'s checks);</li>
 *   <li>every account's balance, served by the gateways, is what the client's own record of what was applied says.</li>
 * </ul>
 * Its load is bounded in count and time (at most about 1,000 requests at 25/s within the phases' windows, fewer when
 * the bank is slower, each request with a time-out) and it sends only to the
 * namespaces' addresses. It removes what it made (namespaces, veths, bridge, processes, data) when it ends, passed or
 * failed, and checks that nothing is left. It needs root (Linux network namespaces): without, it is skipped, unless
 * {@code BANK_REQUIRE_NETNS=1} (CI sets it), when it fails. The nodes' logs are kept in
 * {@code target/netns-logs/<seed>/}.
 */
class NetworkFaultsIT {
    private static final Logger log = LoggerFactory.getLogger(NetworkFaultsIT.class);
    private static final int RATE = 25;
    private static final int IN_FLIGHT = 8;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);
    private static final Duration START = Duration.ofSeconds(120);
    // generous: a processor restarted after SIGKILL rebuilds its stores (no checkpoint under exactly-once), and a loaded
    // machine stretches that; the phases themselves stay bounded
    private static final Duration RECOVERY = Duration.ofSeconds(180);

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void conservesMoneyAndAppliesEachTransactionOnceThroughKillsPartitionsAndASlowLink() throws Exception {
        String unavailable = Netns.unavailable();
        if (unavailable != null) {
            if ("1".equals(System.getenv("BANK_REQUIRE_NETNS"))) {
                fail("BANK_REQUIRE_NETNS=1 but network namespaces are unavailable: " + unavailable);
            }
            Assumptions.abort("network namespaces unavailable (" + unavailable + "); run as root, or set "
                    + "BANK_REQUIRE_NETNS=1 to make this a failure");
        }
        long seed = Long.getLong("bank.seed", System.nanoTime());
        Path logs = Path.of("target", "netns-logs", String.valueOf(seed)).toAbsolutePath();
        log.info("network faults test: seed={} (replay with -Dbank.seed={}), node logs in {}", seed, seed, logs);
        Topics topics = Topics.defaults().withReplication((short) 3);
        Map<String, String> processorSettings = Map.of("BANK_STANDBY_REPLICAS", "1", "BANK_SESSION_TIMEOUT_MS", "6000",
                // the fraud rules would hold the hot accounts' payments for review: faults are what this test is about
                "BANK_FRAUD_ENABLED", "false");
        NetnsCluster cluster = new NetnsCluster(2, 2, logs, processorSettings);
        try {
            run(cluster, topics, seed);
        } finally {
            cluster.close();
            assertThat(cluster.leftovers()).as("what the test made is all removed").isEmpty();
        }
    }

    private void run(NetnsCluster cluster, Topics topics, long seed) throws Exception {
        long t0 = System.nanoTime();
        cluster.startBrokers(topics, START);
        // the gateways need only Kafka to start: all four together
        cluster.processors.forEach(NetnsCluster.Node::launch);
        cluster.gateways.forEach(NetnsCluster.Node::launch);
        for (NetnsCluster.Node p : cluster.processors) cluster.awaitProcessor(p, START, "start");
        for (NetnsCluster.Node g : cluster.gateways) cluster.awaitGateway(g, START, "start");
        log.info("cluster up in {} s: brokers {}, processors {}, gateways {}", seconds(t0), cluster.brokers,
                cluster.processors, cluster.gateways);

        RestTraffic traffic = new RestTraffic(cluster.gateways.stream().map(g -> g.url(NetnsCluster.GATEWAY_PORT))
                .toList(), REQUEST_TIMEOUT);
        BankWorkload workload = new BankWorkload(seed);
        traffic.run("opens", workload.opens(), RATE, IN_FLIGHT, Duration.ofSeconds(60));
        phase(traffic, workload, "steady", 100, null, null);
        NetnsCluster.Node processor1 = cluster.processors.get(0);
        NetnsCluster.Node processor2 = cluster.processors.get(1);
        NetnsCluster.Node broker1 = cluster.brokers.get(0);
        NetnsCluster.Node broker2 = cluster.brokers.get(1);
        NetnsCluster.Node gateway1 = cluster.gateways.get(0);
        long before = processor2.rebalances();
        phase(traffic, workload, "processor-kill", 250,
                new Fault(2, processor1::kill), new Fault(5, processor1::launch));
        cluster.awaitProcessor(processor1, RECOVERY, "processor-kill: the restarted processor1");
        assertThat(processor2.rebalances()).as("processor-kill: the survivor took over (rebalanced; see %s)",
                processor2.log()).isGreaterThan(before);
        probe(traffic, "processor-kill");
        phase(traffic, workload, "broker-kill", 250, new Fault(2, broker2::kill), new Fault(6, broker2::launch));
        cluster.awaitBrokers(3, RECOVERY, "broker-kill: the restarted broker2 rejoining");
        probe(traffic, "broker-kill");
        phase(traffic, workload, "gateway-kill", 250, new Fault(2, gateway1::kill), new Fault(4, gateway1::launch));
        cluster.awaitGateway(gateway1, RECOVERY, "gateway-kill: the restarted gateway1");
        probe(traffic, "gateway-kill");
        long cutOff = processor2.rebalances();
        phase(traffic, workload, "partition", 450,
                new Fault(2, () -> processor2.cutOffFrom(cluster.brokers, NetnsCluster.KAFKA_PORT)),
                new Fault(14, () -> processor2.reconnect(cluster.brokers)));
        cluster.awaitProcessor(processor2, RECOVERY, "partition: processor2 after the partition healed");
        // cut off for 12 s, twice its 6 s session: the group moved its partitions, and it had to rejoin
        assertThat(processor2.rebalances()).as("partition: processor2 lost its partitions and rejoined (see %s)",
                processor2.log()).isGreaterThan(cutOff);
        probe(traffic, "partition");
        phase(traffic, workload, "slow-link", 250, new Fault(2, () -> broker1.slowLink("256kbit", "500ms")),
                new Fault(8, broker1::fastLink));
        probe(traffic, "slow-link");
        log.info("faults done {} s after the start; answers by phase: {}", seconds(t0), traffic.summary());

        check(cluster, topics, traffic);
        log.info("network faults test passed in {} s", seconds(t0));
    }

    /** Something done {@code afterSeconds} into a phase's traffic. */
    private record Fault(int afterSeconds, Runnable action) {}

    /**
     * {@code operations} of the workload at {@link #RATE}/s, or what of them goes out in the time that takes (a slow
     * bank gets fewer); {@code fault} and then {@code heal} done meanwhile on this thread. Fails, naming the phase,
     * when the client does not finish (every request has a time-out) or a fault cannot be made.
     */
    private static void phase(RestTraffic traffic, BankWorkload workload, String name, int operations, Fault fault,
                              Fault heal) throws Exception {
        long t0 = System.nanoTime();
        List<Command> batch = workload.next(operations);
        Duration window = Duration.ofSeconds(operations / RATE);
        Duration deadline = window.plus(REQUEST_TIMEOUT.multipliedBy(2)).plusSeconds(30);
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                traffic.run(name, batch, RATE, IN_FLIGHT, window);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            long at = System.nanoTime();
            long faultMade = at;
            for (Fault f : Stream.of(fault, heal).filter(java.util.Objects::nonNull).toList()) {
                long due = at + TimeUnit.SECONDS.toNanos(f.afterSeconds());
                if (f == heal && fault != null) {
                    // the fault lasts its full span however long making it took (a loaded machine is slow at it)
                    due = Math.max(due, faultMade + TimeUnit.SECONDS.toNanos(heal.afterSeconds() - fault.afterSeconds()));
                }
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                try {
                    f.action().run();
                } catch (RuntimeException e) {
                    throw new AssertionError(name + ": making the fault failed: " + e.getMessage(), e);
                }
                faultMade = System.nanoTime();
            }
            sending.get(deadline.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(name + ": the traffic did not end within " + deadline, e);
        }
        log.info("phase {}: {} operations in {} s", name, operations, seconds(t0));
    }

    /** After a phase healed, the bank answers again: a credit through the gateways is applied within a minute. */
    private static void probe(RestTraffic traffic, String phase) {
        Command probe = Command.credit("probe-" + phase, BankWorkload.HOT.get(1), "1.00").by(BankWorkload.CUSTOMER, false);
        RestTraffic.Attempt a = traffic.sendUntilAnswered(phase + " (probe)", probe, Duration.ofSeconds(60));
        assertThat(a.answer()).as("after " + phase + " healed, the bank applies a credit again within 60 s: " + a)
                .isEqualTo(APPLIED);
    }

    // ---- the checks ----

    private static void check(NetnsCluster cluster, Topics topics, RestTraffic traffic) {
        String bootstrap = cluster.bootstrapServers();
        Map<String, RestTraffic.Sent> sent = traffic.sent();

        // every answer was one a client can act on
        List<String> wrong = new ArrayList<>();
        List<String> serverErrors = new ArrayList<>();
        List<String> disagree = new ArrayList<>();
        for (RestTraffic.Sent s : sent.values()) {
            List<RestTraffic.Attempt> attempts = s.attempts();
            if (attempts.stream().anyMatch(a -> a.answer() == WRONG)) wrong.add(s.toString());
            if (attempts.stream().anyMatch(a -> a.status() == 500)) serverErrors.add(s.toString());
            if (attempts.stream().map(RestTraffic.Attempt::answer).filter(RestTraffic::definite)
                    .distinct().count() > 1) {
                disagree.add(s.toString());
            }
        }
        assertThat(wrong).as("answers that were malformed, another transaction's, or a client error").isEmpty();
        assertThat(serverErrors).as("500s (a bug, whatever the fault)").isEmpty();
        assertThat(disagree).as("a transactionId answered both applied and refused").isEmpty();

        // what was never answered for sure: settled first (every outcome of what went in is out), then read back
        int answered = (int) sent.values().stream().filter(s -> s.answered() != UNKNOWN).count();
        awaitQuietResults(bootstrap, topics, answered);
        traffic.resolve(Duration.ofSeconds(90));
        List<String> unresolved = sent.values().stream()
                .filter(s -> s.answered() == UNKNOWN && (s.resolved == UNKNOWN || s.resolved == WRONG))
                .map(RestTraffic.Sent::toString).toList();
        assertThat(unresolved).as("commands whose outcome could not be read afterwards").isEmpty();

        Map<String, RestTraffic.Answer> fate = new LinkedHashMap<>();
        sent.forEach((k, s) -> fate.put(k, s.answered() != UNKNOWN ? s.answered() : s.resolved));
        Set<String> received = fate.entrySet().stream().filter(e -> e.getValue() != NEVER).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
        log.info("network faults test: {} transactionIds sent, {} answered for sure, {} resolved afterwards ({} never "
                        + "received)", sent.size(), answered, sent.size() - answered,
                fate.values().stream().filter(f -> f == NEVER).count());

        // exactly one outcome for each transactionId the bank received, none for anything else
        BankInvariantIT.Results results = BankInvariantIT.awaitFinalOutcomes(bootstrap, topics, received);
        Map<String, Outcome> outcomes = results.first();
        List<String> contradicted = new ArrayList<>();
        for (String k : received) {
            RestTraffic.Sent s = sent.get(k);
            Outcome o = outcomes.get(k);
            boolean applied = s.command.type() == CommandType.TRANSFER
                    ? o.transferStatus() == TransferStatus.COMPLETED : o.accepted();
            if (applied != (fate.get(k) == APPLIED)) {
                contradicted.add(s + " but the bank's outcome is " + o.status() + " " + o.reason() + " "
                        + o.transferStatus());
            } else if (applied && o.amountMinor() != null && o.amountMinor() != minor(s.command.amount())) {
                contradicted.add(s + " but the bank applied " + o.amountMinor() + " minor units");
            }
        }
        assertThat(contradicted).as("outcomes that contradict what the client was told or sent").isEmpty();

        // the ledger: exactly the accepted commands' postings, once, for the amounts sent; chains; money conserved
        List<LedgerEntry> ledger = BankInvariantIT.readLedger(bootstrap, topics, BankInvariantIT.expectedPostings(outcomes));
        BankInvariantIT.everyAcceptedCommandIsPostedExactlyOnce(outcomes, ledger);
        BankInvariantIT.everyDebitedTransferIsCompletedOrRefundedOnce(outcomes, ledger);
        Map<String, Long> chained = BankInvariantIT.everyAccountIsAGaplessChain(ledger);
        BankInvariantIT.moneyIsConservedPerCurrency(ledger, chained, List.of());
        Map<String, Long> sentAmounts = new HashMap<>();
        sent.values().forEach(s -> sentAmounts.put(s.command.transactionId(), minor(s.command.amount())));
        List<String> misposted = ledger.stream()
                .filter(e -> !Long.valueOf(e.amountMinor()).equals(sentAmounts.get(e.transactionId())))
                .map(e -> e.accountId() + " " + e.type() + " " + e.transactionId() + " of " + e.amountMinor()
                        + " (sent: " + sentAmounts.get(e.transactionId()) + ")")
                .toList();
        assertThat(misposted).as("postings of an amount (or a transactionId) the client did not send").isEmpty();

        // every account holds what the client's own record of what was applied says, served by the gateways
        Map<String, Long> expected = new TreeMap<>();
        for (String k : received) {
            if (fate.get(k) != APPLIED) continue;
            Command c = sent.get(k).command;
            long amount = minor(c.amount());
            switch (c.type()) {
                case OPEN_ACCOUNT, CREDIT -> expected.merge(c.accountId(), amount, Long::sum);
                case DEBIT -> expected.merge(c.accountId(), -amount, Long::sum);
                case TRANSFER -> {
                    expected.merge(c.accountId(), -amount, Long::sum);
                    expected.merge(c.toAccountId(), amount, Long::sum);
                }
                default -> throw new IllegalStateException(c.type().name());
            }
        }
        Http rest = new Http(cluster.gateways.get(0).url(NetnsCluster.GATEWAY_PORT))
                .as(BankStack.token(BankWorkload.CUSTOMER, dev.bank.gateway.auth.Scope.READ));
        Map<String, Long> served = new TreeMap<>();
        List<String> opened = Stream.concat(BankWorkload.EUR.stream(), BankWorkload.USD.stream())
                .filter(a -> fate.get(a + "/open-" + a) == APPLIED).toList();
        for (String account : opened) {
            Http.Response r = rest.get("/balance/" + account);
            assertThat(r.status()).as("balance of " + account + ": " + r.body()).isEqualTo(200);
            served.put(account, minor(r.body().get("balance").decimalValue().toPlainString()));
        }
        Map<String, Long> chainedOpened = new TreeMap<>(chained);
        chainedOpened.keySet().retainAll(opened);
        assertThat(served).as("each account's balance as served = as the client's record of what was applied says")
                .isEqualTo(expected).isEqualTo(chainedOpened);
        log.info("network faults test: {} accounts hold {} minor units in all, as the client's record says; {} postings,"
                + " {} outcomes", served.size(), served.values().stream().mapToLong(Long::longValue).sum(), ledger.size(),
                outcomes.size());
        assertThat(fate.values().stream().filter(f -> f == APPLIED).count()).as("commands applied").isGreaterThan(100);
        assertThat(ledger).as("transfers in the run").anyMatch(e -> e.type() == EntryType.TRANSFER_IN);
    }

    /**
     * Reads the results topic until at least {@code atLeast} outcomes are there and nothing new came for 5 s: what the
     * gateways published has been processed, so reading an outcome now says whether the bank ever received it.
     */
    private static void awaitQuietResults(String bootstrap, Topics topics, int atLeast) {
        long[] lastGrowth = {System.nanoTime()};
        int[] seen = {0};
        List<ConsumerRecord<String, byte[]>> read = TopicReader.readUntil(bootstrap, topics.results(), rs -> {
            if (rs.size() != seen[0]) {
                seen[0] = rs.size();
                lastGrowth[0] = System.nanoTime();
            }
            return rs.size() >= atLeast && System.nanoTime() - lastGrowth[0] > TimeUnit.SECONDS.toNanos(5);
        }, Duration.ofSeconds(120));
        log.info("results topic quiet at {} outcome records", read.size());
    }

    private static long minor(String major) {
        return new BigDecimal(major).movePointRight(2).longValueExact();
    }

    private static long seconds(long t0) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }
}
