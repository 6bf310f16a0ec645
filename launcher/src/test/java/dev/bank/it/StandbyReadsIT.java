package dev.bank.it;

import dev.bank.schemas.KeyPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.bank.it.FailoverIT.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While the instance that owns an account cannot answer (here: SIGSTOP, alive for the group but silent; in
 * production: a task moving back to a returning instance, which serves only once it runs), the other instance answers
 * from its standby copy, if that copy has every committed write: the same balances the owner served. When the owner
 * stops cleanly, its accounts answer throughout the hand-over, from that copy and then from the task arriving from it.
 */
class StandbyReadsIT {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StandbyReadsIT.class);

    @TempDir
    Path dir;

    @Test
    void whileTheOwnerCannotAnswerACopyWithEveryCommittedWriteDoes() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1);
             FailoverIT.Pair pair = FailoverIT.Pair.start(kafka, dir, Map.of(), "sb")) {
            pair.awaitBalancedWithStandbys();
            pair.stopWriting();
            pair.assertEveryCreditAppliedOnce(); // every command processed and committed: no transaction left open
            ProcessorProcess owner = pair.processors.get(0);
            ProcessorProcess other = pair.processors.get(1);
            Set<Integer> ownersPartitions = pair.activePartitions().get("sb-0");
            List<String> ownersAccounts = pair.accounts.stream()
                    .filter(a -> ownersPartitions.contains(KeyPartitioner.partitionOf(a, FailoverIT.Pair.PARTITIONS)))
                    .toList();
            assertThat(ownersAccounts).isNotEmpty();
            Http query = BankStack.query(other.queryUrl());
            // Given the balances the owner serves (asked of the other instance, which passes the reads on)
            Map<String, Long> served = new HashMap<>();
            for (String account : ownersAccounts) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    Http.Response answer = query.get("/internal/accounts/" + account);
                    assertThat(answer.status()).as(account).isEqualTo(200);
                    served.put(account, answer.body().get("balanceMinor").asLong());
                });
            }
            double copiesBefore = metric(other, "bank_query_standby_reads_total");

            // When the owner stops answering
            owner.signal("STOP");
            try {
                // Then the other instance answers from its copies, with the same balances
                for (String account : ownersAccounts) {
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        Http.Response answer = query.get("/internal/accounts/" + account);
                        assertThat(answer.status()).as(account).isEqualTo(200);
                        assertThat(answer.body().get("balanceMinor").asLong()).as(account)
                                .isEqualTo(served.get(account));
                    });
                }
                assertThat(metric(other, "bank_query_standby_reads_total") - copiesBefore)
                        .as("answered from the copies").isGreaterThanOrEqualTo(ownersAccounts.size());
            } finally {
                owner.signal("CONT");
            }

            // And a write acknowledged just before the owner stops is in every answer a copy gives
            String account = ownersAccounts.get(0);
            pair.credit("sb-acknowledged", account);
            pair.assertEveryCreditAppliedOnce(); // its outcome is out: committed, and told to the client
            owner.signal("STOP");
            try {
                List<Long> answered = new ArrayList<>();
                long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (System.nanoTime() < until && answered.size() < 3) {
                    Http.Response answer = query.get("/internal/accounts/" + account);
                    if (answer.status() == 200) answered.add(answer.body().get("balanceMinor").asLong());
                }
                assertThat(answered).as("answers from the copy").isNotEmpty()
                        .containsOnly(served.get(account) + 101);
            } finally {
                owner.signal("CONT");
            }

            // When the owner stops cleanly (its tasks move to the other instance, whose standbys become active)
            try (FailoverProbe probe = new FailoverProbe(List.of(other.queryUrl()), pair.accounts,
                    i -> "/internal/accounts/" + pair.accounts.get(i), FailoverIT.Pair.PARTITIONS,
                    BankStack.SERVICE_TOKEN, Duration.ofMillis(100)).start()) {
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        probe.firstAllGood(pair.allPartitions(), probe.nowMs() - 300) > 0);
                long stoppedAt = probe.nowMs();
                owner.close();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() ->
                        FailoverIT.Pair.servesEveryPartition(other));
                long servingAt = probe.nowMs();
                probe.awaitNextRound();
                // Then every account answered throughout, bar a moment: from the copy while the owner closed, then
                // from the task arriving here as soon as its copy had every committed write, before it was restored
                // and serving (the moment: the owner's last commit not yet applied to the copy, which a read waits for
                // up to half a second before it is refused)
                long checkedUntil = probe.nowMs();
                long gap = probe.longestGap(pair.allPartitions(), stoppedAt, checkedUntil);
                String outages = probe.describeOutages(pair.allPartitions(), stoppedAt, checkedUntil);
                log.info("clean stop: longest gap {} ms (stopped at {} ms, all served by the other at {} ms){}", gap,
                        stoppedAt, servingAt, outages);
                assertThat(gap).as("accounts answering during the hand-over (stopped at %d ms, serving at %d ms): "
                                + "%s", stoppedAt, servingAt, outages)
                        .isLessThan(1000);
            }
        }
    }
}
