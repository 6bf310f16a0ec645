package dev.bank.bench;

import dev.bank.observability.KafkaSecurity;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * One timed trip through Kafka: N records produced by an idempotent producer ({@code acks=all}), and the
 * records they cause read back by a {@code read_committed} consumer of every partition of the read topic,
 * positioned at its end before the first send. A record read back is matched to the send that caused it by
 * an index (its transactionId); its latency is send → seen. The same code times the raw pipe (the baseline)
 * and commands → outcomes through the processor, so the two differ only by what sits between the topics.
 */
final class KafkaPipe {
    private static final Logger log = LoggerFactory.getLogger(KafkaPipe.class);
    private static final Duration POLL = Duration.ofMillis(50);

    /** What the consumer made of one record: whose it is ({@code index}, -1 for a stranger's) and if it is right. */
    record Match(int index, boolean ok, String problem) {
        static final Match NOT_OURS = new Match(-1, true, null);

        static Match ok(int index) {
            return new Match(index, true, null);
        }

        static Match bad(int index, String problem) {
            return new Match(index, false, problem);
        }
    }

    /**
     * The measurements of one run; {@code elapsedNanos} is first send → last record seen, {@code cpuNanos} the
     * process CPU used from the first send until all were seen (or the deadline), {@code loadCpuNanos} the part of it
     * the pipe's own producer and reader used; both -1 when unknown.
     */
    record Run(int n, long elapsedNanos, long cpuNanos, long loadCpuNanos, Latencies latencies, int seen,
               long duplicates, long wrong,
               long sendErrors, List<String> problems) {

        int missing() {
            return n - seen;
        }

        long errors() {
            return missing() + duplicates + wrong + sendErrors;
        }

        /** The self-check failures, in words. */
        List<String> failures() {
            List<String> f = new ArrayList<>();
            if (sendErrors > 0) f.add(sendErrors + " sends failed");
            if (missing() > 0) f.add(missing() + " of " + n + " records never read back");
            if (duplicates > 0) f.add(duplicates + " records read back more than once");
            if (wrong > 0) f.add(wrong + " records read back wrong, e.g. " + problems);
            return f;
        }
    }

    private final String bootstrapServers;
    private final KafkaSecurity security;

    KafkaPipe(String bootstrapServers, KafkaSecurity security) {
        this.bootstrapServers = bootstrapServers;
        this.security = security;
    }

    /** The number of partitions of {@code topic} (fails if it does not exist). */
    int partitions(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = consumer("bank-bench-metadata")) {
            return consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
        }
    }

    /**
     * Produces {@code record.apply(i)} for i in [0, n) to Kafka and waits, at most {@code timeout}, until the
     * consumer of {@code readTopic} has matched all n of them.
     */
    Run run(String label, int n, IntFunction<ProducerRecord<String, byte[]>> record, String readTopic,
            Function<ConsumerRecord<String, byte[]>, Match> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        AtomicLongArray sentAt = new AtomicLongArray(n);
        AtomicIntegerArray seenCount = new AtomicIntegerArray(n);
        CountDownLatch allSeen = new CountDownLatch(n);
        Latencies latencies = new Latencies();
        AtomicLong lastSeen = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong sendErrors = new AtomicLong();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Exception> sendFailure = new AtomicReference<>();

        try (Tail tail = new Tail(consumer("bank-bench-" + label), readTopic, deadline, rec -> {
                 long now = System.nanoTime();
                 Match m = match.apply(rec);
                 if (m.index() < 0) return;
                 int i = m.index();
                 if (seenCount.getAndIncrement(i) > 0) {
                     duplicates.incrementAndGet();
                     return;
                 }
                 long sent = sentAt.get(i);
                 if (sent != 0) latencies.recordNanos(now - sent);
                 if (!m.ok()) {
                     wrong.incrementAndGet();
                     if (problems.size() < 3) problems.add(m.problem());
                 }
                 lastSeen.accumulateAndGet(now, Math::max);
                 allSeen.countDown();
             });
             KafkaProducer<String, byte[]> producer = producer("bank-bench-" + label)) {
            tail.start();
            CpuClock.LoadThreads load = CpuClock.LoadThreads.start();
            long cpuBefore = CpuClock.processNanos();
            long firstSend = System.nanoTime();
            for (int i = 0; i < n && System.nanoTime() < deadline; i++) {
                ProducerRecord<String, byte[]> r = record.apply(i);
                sentAt.set(i, System.nanoTime());
                producer.send(r, (metadata, error) -> {
                    if (error != null) {
                        sendErrors.incrementAndGet();
                        sendFailure.compareAndSet(null, error);
                    }
                });
            }
            producer.flush();
            boolean complete = allSeen.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            long cpu = CpuClock.between(cpuBefore, CpuClock.processNanos());
            long loadCpu = CpuClock.LoadThreads.since(load);
            if (!complete) {
                log.warn("{}: {} of {} records not read back within {}", label, allSeen.getCount(), n, timeout);
            }
            if (sendFailure.get() != null) log.warn("{}: a send failed", label, sendFailure.get());
            int seen = 0;
            for (int i = 0; i < n; i++) if (seenCount.get(i) > 0) seen++;
            long end = seen == 0 ? System.nanoTime() : lastSeen.get();
            return new Run(n, end - firstSend, cpu, loadCpu, latencies, seen, duplicates.get(), wrong.get(), sendErrors.get(),
                    List.copyOf(problems));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + " interrupted", e);
        }
    }

    /**
     * Every committed record of {@code topic} from its beginning up to its end as of now (the last stable offset, as
     * read_committed sees it), in partition order; fails when they cannot all be read within {@code timeout}.
     */
    List<ConsumerRecord<String, byte[]>> readAll(String topic, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = consumer("bank-bench-read-" + topic)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            java.util.Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) records.add(r);
            }
            return records;
        }
    }

    private KafkaProducer<String, byte[]> producer(String clientId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        security.applyTo(p);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> consumer(String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        security.applyTo(p);
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Reads every partition of a topic from its end (as of construction) on its own thread until closed or
     * the deadline passes, handing each record to the handler. No consumer group, nothing committed.
     */
    private static final class Tail implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Thread thread;
        private volatile boolean closed;

        Tail(KafkaConsumer<String, byte[]> consumer, String topic, long deadline,
             java.util.function.Consumer<ConsumerRecord<String, byte[]>> handler) {
            this.consumer = consumer;
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position); // resolve the end offsets before the first send
            } catch (RuntimeException e) {
                consumer.close(Duration.ofSeconds(2));
                throw e;
            }
            this.thread = new Thread(() -> {
                try {
                    while (!closed && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) handler.accept(r);
                    }
                } catch (WakeupException e) {
                    if (!closed) throw e;
                } finally {
                    consumer.close(Duration.ofSeconds(2));
                }
            }, "bench-tail-" + topic);
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            if (!thread.isAlive()) {
                if (thread.getState() == Thread.State.NEW) consumer.close(Duration.ofSeconds(2));
                return;
            }
            consumer.wakeup();
            thread.join(5_000);
        }
    }
}

