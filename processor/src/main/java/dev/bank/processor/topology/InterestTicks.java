package dev.bank.processor.topology;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Optional;
import java.util.Set;

/**
 * The wall clock's only way into interest. A wall-clock punctuation on each task notices that a business day has
 * ended (or, on start, that days ended while it was down) and appends an interest tick to the task's own partition
 * of the processor's internal commands topic ({@code bank.commands.rerouted}, which only the processor may write),
 * stamped with the wall-clock time. A tick on the public commands topic is forged and dead-lettered. The tick is then read back and applied like any command:
 * every account of the task accrues the dates that ended before the tick's timestamp.
 *
 * <p>Why a record and not accrual inside the punctuation: a tick is ordered in the task's input after every command
 * already read, so commands queued while the processor was down are applied first and count for the days they were sent
 * on, and reprocessing after a crash meets the same ticks at the same offsets and accrues exactly the same. The tick
 * carries a reserved key (never a valid accountId) and a header, so it cannot be mistaken for a command.
 */
final class InterestTicks {
    static final String KEY = "\u0000interest-tick";
    static final String HEADER = "bank.interest.tick";

    private final InterestLogic interest;
    /** The business date of the last tick this instance sent; in memory only: a restart sends one at once. */
    private LocalDate lastTicked;

    InterestTicks(InterestLogic interest) {
        this.interest = interest;
    }

    static boolean isTick(Record<String, byte[]> record) {
        return isTick(record, KEY, HEADER);
    }

    /** Whether a record is a tick of the kind with this reserved key and header ({@link HoldExpiry}'s too). */
    static boolean isTick(Record<String, byte[]> record, String key, String header) {
        return key.equals(record.key()) && record.headers().lastHeader(header) != null;
    }

    /**
     * Appends a tick to the task's own partition of the internal topic (the value names it, {@link #partitioner}),
     * stamped with the wall-clock time {@code now}: the one way the processor's ticks, interest and hold expiry, enter
     * the log.
     */
    static void send(ProcessorContext<String, byte[]> context, String key, String header, String headerValue,
                     long now) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(header, headerValue.getBytes(StandardCharsets.UTF_8));
        byte[] partition = String.valueOf(context.taskId().partition()).getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(key, partition, now, headers), BankTopology.TICK_SINK);
    }

    /**
     * Appends the continuation of an interest walk ({@link InterestWalk}) to the task's own partition: a tick stamped
     * with the walking tick's time, naming it in {@link InterestWalk#WALK_HEADER}.
     */
    static void sendContinuation(ProcessorContext<String, byte[]> context, long target) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(HEADER, "continue".getBytes(StandardCharsets.UTF_8));
        headers.add(InterestWalk.WALK_HEADER, Long.toString(target).getBytes(StandardCharsets.UTF_8));
        byte[] partition = String.valueOf(context.taskId().partition()).getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(KEY, partition, target, headers), BankTopology.TICK_SINK);
    }

    /** Sends a tick at the first punctuation and whenever the business date has moved on since the last one. */
    void schedule(ProcessorContext<String, byte[]> context) {
        context.schedule(interest.config().tickInterval(), PunctuationType.WALL_CLOCK_TIME, now -> {
            LocalDate today = interest.businessDate(now);
            if (lastTicked != null && !today.isAfter(lastTicked)) return;
            lastTicked = today;
            send(context, KEY, HEADER, today.toString(), now);
        });
    }

    /** Routes a tick to the partition it names: the partition of the task that sent it. */
    static StreamPartitioner<String, byte[]> partitioner() {
        return (topic, key, value, numPartitions) ->
                Optional.of(Set.of(Integer.parseInt(new String(value, StandardCharsets.UTF_8))));
    }
}
