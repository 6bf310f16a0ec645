package dev.bank.launcher;

import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Finds and ends hanging transactions after a broker's restart: a transaction still open in a partition's log whose
 * coordinator has already ended it, so no marker will ever come and every read-committed reader of the partition
 * (a processor restoring its stores, the ledger's consumers, the offset fetch of the group) waits at its last stable
 * offset for ever.
 *
 * <p>We saw this after {@code kill -9} of {@code bank local} (broker and processor in one JVM): the restarted broker
 * aborted the killed processor's timed-out transaction while it still acted on the metadata it had before the crash,
 * and the abort markers never reached five of the transaction's partitions, although the coordinator recorded the
 * abort as complete. The processor then restored one task for ever (docs/operations.md, "A partition stuck at its
 * last stable offset").
 *
 * <p>Only a transaction whose coordinator recorded an abort is ended here, with the abort marker it should have had.
 * Under transaction version 2 (KIP-890) a coordinator that ends a transaction begun at producer epoch {@code e}
 * records the outcome at {@code e + 1}, so "complete abort at {@code e + 1}" names exactly that transaction. A
 * transaction the coordinator committed, or one whose outcome it no longer knows (the producer has begun newer
 * transactions since), is left alone and reported: aborting a committed transaction's records in one partition would
 * undo part of an exactly-once write, which is worse than a stall an operator can see.
 */
final class HangingTransactions {
    private static final Logger log = LoggerFactory.getLogger(HangingTransactions.class);
    private static final String TRANSACTION_VERSION = "transaction.version";

    /** What the coordinator's record says of a transaction open in a partition. */
    enum Verdict {
        /** still going, or its markers are being written: the coordinator ends it */
        IN_PROGRESS,
        /** the coordinator aborted it, and this partition never got the marker: abort it here */
        ABORTED,
        /** committed, or its outcome is no longer known: left to an operator */
        UNKNOWN
    }

    /** A partition's open transaction, and what was done with it. */
    record Open(TopicPartition partition, ProducerState producer, String transactionalId,
                TransactionDescription coordinator, Verdict verdict) {

        /** What the coordinator records of the producer's transactions, for the log. */
        String coordinatorRecord() {
            return coordinator == null ? "no transactional id for this producer"
                    : coordinator.state() + " at epoch " + coordinator.producerEpoch();
        }
    }

    private HangingTransactions() {}

    /**
     * The verdict on {@code producer}'s transaction open in a partition, from its coordinator's current record
     * ({@code null}: the coordinator has no transactional id for the producer). {@code epochBumpsAtEnd}: the cluster
     * runs transaction version 2, where ending a transaction bumps the producer epoch; without it a transaction's
     * outcome cannot be told from the coordinator's record, and nothing is ever judged aborted.
     */
    static Verdict judge(ProducerState producer, TransactionDescription coordinator, boolean epochBumpsAtEnd) {
        if (coordinator == null || coordinator.producerId() != producer.producerId()) {
            return Verdict.UNKNOWN;
        }
        int epoch = producer.producerEpoch();
        return switch (coordinator.state()) {
            case ONGOING -> coordinator.producerEpoch() == epoch ? Verdict.IN_PROGRESS : Verdict.UNKNOWN;
            case PREPARE_COMMIT, PREPARE_ABORT, PREPARE_EPOCH_FENCE ->
                    coordinator.producerEpoch() == epoch || coordinator.producerEpoch() == epoch + 1
                            ? Verdict.IN_PROGRESS : Verdict.UNKNOWN;
            case COMPLETE_ABORT -> epochBumpsAtEnd && coordinator.producerEpoch() == epoch + 1
                    ? Verdict.ABORTED : Verdict.UNKNOWN;
            default -> Verdict.UNKNOWN;
        };
    }

    /**
     * Looks for open transactions until none is in progress any more (the coordinator is still ending one) or
     * {@code settle} has passed, aborting those the coordinator aborted; returns what it found in its last look.
     * Transactions of live producers (begun within their timeout) are not waited for.
     */
    static List<Open> repair(Admin admin, Duration settle) throws InterruptedException {
        long deadline = System.nanoTime() + settle.toNanos();
        Set<Map.Entry<TopicPartition, Long>> aborted = new HashSet<>(); // partition and producer id
        List<Open> found = List.of();
        ExecutionException failed = null;
        while (true) {
            boolean waiting = false;
            try {
                found = look(admin, partitions(admin), transactionVersion(admin) >= 2);
                failed = null;
                for (Open open : found) {
                    if (open.verdict() == Verdict.ABORTED
                            && aborted.add(Map.entry(open.partition(), open.producer().producerId()))) {
                        abort(admin, open);
                    } else if (open.verdict() == Verdict.IN_PROGRESS || open.transactionalId() == null) {
                        // a coordinator still loading its partition of the transaction log lists none of its
                        // transactional ids yet: its verdict comes in a later look
                        waiting = true;
                    }
                }
            } catch (ExecutionException e) {
                failed = e; // coordinators still loading (COORDINATOR_LOAD_IN_PROGRESS): look again
                waiting = true;
            }
            if (!waiting || System.nanoTime() >= deadline) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        if (failed != null) {
            log.warn("could not look for hanging transactions ({}); a partition whose abort marker was lost in a crash "
                    + "stays at its last stable offset (docs/operations.md)", failed.getCause().toString());
            return List.of();
        }
        for (Open open : found) {
            if (open.verdict() == Verdict.UNKNOWN) {
                log.error("partition {} has a transaction open since offset {} (producer {} epoch {}, transactional id "
                                + "{}) that its coordinator will not end and that is not known to be aborted (the "
                                + "coordinator's record: {}): read-committed readers of the partition wait at that "
                                + "offset. See docs/operations.md, \"A partition stuck at its last stable offset\"",
                        open.partition(), open.producer().currentTransactionStartOffset().orElse(-1),
                        open.producer().producerId(), open.producer().producerEpoch(), open.transactionalId(),
                        open.coordinatorRecord());
            }
        }
        return found;
    }

    private static void abort(Admin admin, Open open) throws ExecutionException, InterruptedException {
        ProducerState p = open.producer();
        admin.abortTransaction(new AbortTransactionSpec(open.partition(), p.producerId(), (short) p.producerEpoch(),
                p.coordinatorEpoch().orElse(0))).all().get();
        log.warn("aborted the transaction left open in {} since offset {} (producer {} epoch {}, transactional id {}): "
                        + "its coordinator had aborted it, but the marker never reached this partition",
                open.partition(), p.currentTransactionStartOffset().orElse(-1), p.producerId(), p.producerEpoch(),
                open.transactionalId());
    }

    /** Every open transaction in {@code partitions}, judged; those of live producers within their timeout left out. */
    private static List<Open> look(Admin admin, List<TopicPartition> partitions, boolean epochBumpsAtEnd)
            throws ExecutionException, InterruptedException {
        // a partition written by several producers (bank.replies, __consumer_offsets) may hold an open transaction
        // of each: every one is judged
        List<Map.Entry<TopicPartition, ProducerState>> open = new ArrayList<>();
        admin.describeProducers(partitions).all().get().forEach((partition, state) -> {
            for (ProducerState producer : state.activeProducers()) {
                if (producer.currentTransactionStartOffset().isPresent()) {
                    open.add(Map.entry(partition, producer));
                }
            }
        });
        if (open.isEmpty()) {
            return List.of();
        }
        Set<Long> producerIds = new HashSet<>();
        open.forEach(e -> producerIds.add(e.getValue().producerId()));
        Map<Long, String> transactionalIds = new HashMap<>();
        for (TransactionListing listing : admin.listTransactions(new ListTransactionsOptions()
                .filterProducerIds(producerIds)).all().get()) {
            transactionalIds.put(listing.producerId(), listing.transactionalId());
        }
        Map<String, TransactionDescription> coordinators = transactionalIds.isEmpty() ? Map.of()
                : admin.describeTransactions(transactionalIds.values()).all().get();
        long now = System.currentTimeMillis();
        List<Open> judged = new ArrayList<>();
        open.forEach(entry -> {
            TopicPartition partition = entry.getKey();
            ProducerState producer = entry.getValue();
            String id = transactionalIds.get(producer.producerId());
            TransactionDescription coordinator = id == null ? null : coordinators.get(id);
            Verdict verdict = judge(producer, coordinator, epochBumpsAtEnd);
            boolean live = verdict == Verdict.IN_PROGRESS && coordinator.state() == TransactionState.ONGOING
                    && coordinator.transactionStartTimeMs().orElse(0) + coordinator.transactionTimeoutMs() > now;
            if (!live) {
                judged.add(new Open(partition, producer, id, coordinator, verdict));
            }
        });
        return judged;
    }

    private static List<TopicPartition> partitions(Admin admin) throws ExecutionException, InterruptedException {
        Set<String> names = new HashSet<>(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get());
        names.remove(Topic.TRANSACTION_STATE_TOPIC_NAME); // written by the coordinator itself, never transactionally
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicDescription topic : admin.describeTopics(names).allTopicNames().get().values()) {
            topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
        }
        return partitions;
    }

    private static short transactionVersion(Admin admin) throws ExecutionException, InterruptedException {
        FinalizedVersionRange range = admin.describeFeatures().featureMetadata().get().finalizedFeatures()
                .get(TRANSACTION_VERSION);
        return range == null ? 0 : range.maxVersionLevel();
    }
}
