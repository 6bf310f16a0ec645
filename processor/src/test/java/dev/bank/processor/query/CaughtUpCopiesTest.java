package dev.bank.processor.query;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class CaughtUpCopiesTest {
    private final ExecutorService lookups = Executors.newSingleThreadExecutor();
    private final ExecutorService readers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        lookups.shutdownNow();
        readers.shutdownNow();
    }

    @Test
    void aCopyCountsOnlyWhenTheLookupSaysItsPartitionIsCaughtUp() {
        CaughtUpCopies copies = new CaughtUpCopies(() -> Set.of(1, 3), lookups, Duration.ofSeconds(5));

        assertThat(copies.hasEveryCommittedWrite(1)).isTrue();
        assertThat(copies.hasEveryCommittedWrite(3)).isTrue();
        assertThat(copies.hasEveryCommittedWrite(2)).isFalse();
    }

    @Test
    void aReadWaitsForALookupThatStartedAfterItArrived() throws Exception {
        // the first lookup sees the offsets before a write is acknowledged; the read arriving meanwhile must not use it
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        CaughtUpCopies copies = new CaughtUpCopies(() -> {
            if (started.incrementAndGet() == 1) {
                firstStarted.countDown();
                releaseFirst.await();
                return Set.of(0); // as of before the write: caught up
            }
            return Set.of(); // as of after it: this copy lacks the write
        }, lookups, Duration.ofSeconds(5));
        Future<Boolean> early = readers.submit(() -> copies.hasEveryCommittedWrite(0));
        assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();

        Future<Boolean> late = readers.submit(() -> copies.hasEveryCommittedWrite(0));
        TimeUnit.MILLISECONDS.sleep(100);
        releaseFirst.countDown();

        assertThat(early.get(5, TimeUnit.SECONDS)).as("the read the first lookup started for").isTrue();
        assertThat(late.get(5, TimeUnit.SECONDS)).as("the read that arrived while it ran").isFalse();
        assertThat(started).hasValue(2);
    }

    @Test
    void readsArrivingWhileALookupRunsShareTheNextOne() throws Exception {
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        CaughtUpCopies copies = new CaughtUpCopies(() -> {
            if (started.incrementAndGet() == 1) releaseFirst.await();
            return Set.of(0);
        }, lookups, Duration.ofSeconds(5));
        Future<Boolean> first = readers.submit(() -> copies.hasEveryCommittedWrite(0));
        while (started.get() == 0) TimeUnit.MILLISECONDS.sleep(5);

        List<Future<Boolean>> waiting = new ArrayList<>();
        CountDownLatch arrived = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            waiting.add(readers.submit(() -> {
                arrived.countDown();
                return copies.hasEveryCommittedWrite(0);
            }));
        }
        assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();
        TimeUnit.MILLISECONDS.sleep(200);
        releaseFirst.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS)).isTrue();
        for (Future<Boolean> read : waiting) assertThat(read.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(started).as("lookups for 51 reads").hasValue(2);
    }

    @Test
    void noVerdictIsNoCopy() throws Exception {
        CaughtUpCopies failing = new CaughtUpCopies(() -> {
            throw new IllegalStateException("KafkaStreams is not running");
        }, lookups, Duration.ofSeconds(5));
        assertThat(failing.hasEveryCommittedWrite(0)).isFalse();

        CountDownLatch never = new CountDownLatch(1);
        AtomicReference<Thread> stuck = new AtomicReference<>();
        CaughtUpCopies hanging = new CaughtUpCopies(() -> {
            stuck.set(Thread.currentThread());
            never.await();
            return Set.of(0);
        }, lookups, Duration.ofMillis(200));
        assertThat(hanging.hasEveryCommittedWrite(0)).as("brokers not answering").isFalse();

        ExecutorService closed = Executors.newSingleThreadExecutor();
        closed.shutdown();
        assertThat(new CaughtUpCopies(() -> Set.of(0), closed, Duration.ofSeconds(1)).hasEveryCommittedWrite(0))
                .as("lookups refused").isFalse();
        never.countDown();
    }
}
