package dev.bank.notifier;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.Documents;
import dev.bank.schemas.Json;
import dev.bank.schemas.Topic;
import dev.bank.schemas.WebhookDeadLetter;
import dev.bank.schemas.WebhookSubscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Delivers events to endpoints: one FIFO queue per (subscription, account), so the events of one account reach one
 * endpoint in their order, and an endpoint that is slow or down holds up only its own queues. A queue sends its head
 * until it is delivered (2xx) or, after the last attempt, dead-lettered; only then the next. Failed attempts are
 * retried after {@link Backoff}'s wait, on a timer: no thread waits. At most {@code concurrency} requests are in flight
 * (the workers); how many deliveries are held is {@link #queued()}, which the event pump keeps bounded.
 *
 * <p>The payload is Standard Webhooks' {@code {"type","timestamp","data"}} with the event as the live stream shows it
 * ({@link Documents#event}); it is built once per event, so every redelivery has the same body and the same
 * {@code webhook-id} (the event's id), and a receiver can drop what it has seen.
 */
final class DeliveryEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);

    /** One event on its way to one subscription. */
    static final class Delivery {
        final String subscriptionId;
        final AccountEvent event;
        final byte[] body;
        /** The events partition it was read from; null for a replay (not tracked for commits). */
        final TopicPartition partition;
        final Runnable whenDone;
        int attempts;
        long firstAttemptAt;
        Integer lastStatus;
        String lastError;
        volatile boolean cancelled;

        Delivery(String subscriptionId, AccountEvent event, byte[] body, TopicPartition partition, Runnable whenDone) {
            this.subscriptionId = subscriptionId;
            this.event = event;
            this.body = body;
            this.partition = partition;
            this.whenDone = whenDone;
        }
    }

    private static final class Queue {
        final String key;
        final ArrayDeque<Delivery> deliveries = new ArrayDeque<>();
        boolean running;
        /** Emptied and taken out of the map: a submit that still holds it must take a new one. */
        boolean removed;

        Queue(String key) {
            this.key = key;
        }
    }

    private final Function<String, Optional<WebhookSubscription>> subscriptions;
    private final Deliverer deliverer;
    private final Producer<String, byte[]> producer;
    private final Topic<WebhookDeadLetter> deadLetters;
    private final Backoff backoff;
    private final int maxAttempts;
    private final Clock clock;
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
            "notifier-retries"));
    private final MeterRegistry registry;
    private volatile boolean closed;

    DeliveryEngine(Function<String, Optional<WebhookSubscription>> subscriptions, Deliverer deliverer,
                   Producer<String, byte[]> producer, Topic<WebhookDeadLetter> deadLetters, Backoff backoff,
                   int maxAttempts, int concurrency, Clock clock, MeterRegistry registry) {
        this.subscriptions = subscriptions;
        this.deliverer = deliverer;
        this.producer = producer;
        this.deadLetters = deadLetters;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.clock = clock;
        this.registry = registry;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, r -> daemon(r, "notifier-" + n.incrementAndGet()));
        Gauge.builder("bank.notifier.queued", queued, AtomicInteger::get)
                .description("Deliveries held, in flight or waiting (queue depth)").register(registry);
        Gauge.builder("bank.notifier.queues", queues, Map::size)
                .description("Queues (subscription and account) with deliveries").register(registry);
    }

    /** The webhook payload of an event: Standard Webhooks' envelope around {@link Documents#event}. */
    static byte[] payload(AccountEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.type().wireName());
        body.put("timestamp", Instant.ofEpochMilli(event.timestamp()).toString());
        body.put("data", Documents.event(event));
        return Json.answer(body);
    }

    /** Queues {@code event} for {@code subscriptionId}; {@code whenDone} runs once it is delivered or dead-lettered. */
    void submit(String subscriptionId, AccountEvent event, TopicPartition partition, Runnable whenDone) {
        submit(new Delivery(subscriptionId, event, payload(event), partition, whenDone));
    }

    private void submit(Delivery delivery) {
        String key = delivery.subscriptionId + "\u0000" + delivery.event.accountId();
        while (true) {
            Queue queue = queues.computeIfAbsent(key, Queue::new);
            boolean start;
            synchronized (queue) {
                if (queue.removed) continue;
                queue.deliveries.add(delivery);
                queued.incrementAndGet();
                start = !queue.running;
                queue.running = true;
            }
            if (start) run(queue);
            return;
        }
    }

    /** Deliveries held right now. */
    int queued() {
        return queued.get();
    }

    /**
     * The partitions went elsewhere: their deliveries not yet started are dropped (the new owner sends them from the
     * committed offset), and one in flight is not retried.
     */
    void cancel(Collection<TopicPartition> partitions) {
        for (Queue queue : queues.values()) {
            synchronized (queue) {
                for (Delivery d : queue.deliveries) {
                    if (d.partition != null && partitions.contains(d.partition)) d.cancelled = true;
                }
            }
        }
    }

    private void run(Queue queue) {
        if (closed) return;
        try {
            workers.execute(() -> attempt(queue));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: what is held is sent again after the restart, from the committed offsets
        }
    }

    private void attempt(Queue queue) {
        Delivery head;
        synchronized (queue) {
            while ((head = queue.deliveries.peek()) != null && head.cancelled) {
                queue.deliveries.poll();
                queued.decrementAndGet();
            }
            if (head == null) {
                queue.running = false;
                queue.removed = true;
                queues.remove(queue.key, queue);
                return;
            }
        }
        Delivery d = head;
        Optional<WebhookSubscription> subscription = subscriptions.apply(d.subscriptionId);
        if (subscription.isEmpty() || !subscription.get().wants(d.event)) {
            // deleted (or changed) since the event was read: nothing is owed to it any more
            log.info("webhook dropped subscription={} accountId={} eventId={}: the subscription is gone",
                    d.subscriptionId, d.event.accountId(), d.event.eventId());
            count("dropped");
            finish(queue, d);
            return;
        }
        if (d.attempts == 0) d.firstAttemptAt = clock.millis();
        long started = System.nanoTime();
        Deliverer.Attempt attempt = deliverer.deliver(subscription.get(), d.event.eventId(), d.body);
        d.attempts++;
        Timer.builder("bank.notifier.attempt.latency").description("One delivery attempt, from request to status")
                .tag("result", attempt.result()).publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        Counter.builder("bank.notifier.attempts").description("Delivery attempts, by result")
                .tag("result", attempt.result()).register(registry).increment();
        if (closed) return;
        if (attempt.delivered()) {
            log.info("webhook delivered subscription={} accountId={} eventId={} type={} attempts={} status={}",
                    d.subscriptionId, d.event.accountId(), d.event.eventId(), d.event.type().wireName(), d.attempts,
                    attempt.status());
            Timer.builder("bank.notifier.delivery.latency")
                    .description("From the event to its delivery (retries included)").publishPercentileHistogram()
                    .maximumExpectedValue(Duration.ofHours(2)).register(registry)
                    .record(Math.max(0, clock.millis() - d.event.timestamp()), TimeUnit.MILLISECONDS);
            count("delivered");
            finish(queue, d);
            return;
        }
        d.lastStatus = attempt.status();
        d.lastError = attempt.error();
        if (d.cancelled) {
            finish(queue, d);
            return;
        }
        if (d.attempts >= maxAttempts) {
            deadLetter(queue, d);
            return;
        }
        Duration wait = backoff.delay(d.attempts, ThreadLocalRandom.current().nextDouble());
        log.info("webhook attempt failed subscription={} accountId={} eventId={} attempt={}/{}: {}; next in {} ms",
                d.subscriptionId, d.event.accountId(), d.event.eventId(), d.attempts, maxAttempts, attempt.error(),
                wait.toMillis());
        later(() -> run(queue), wait);
    }

    /** The last attempt failed: the delivery goes to the dead-letter topic, and once Kafka has it, the queue moves on. */
    private void deadLetter(Queue queue, Delivery d) {
        WebhookDeadLetter letter = new WebhookDeadLetter(d.subscriptionId, d.event, d.attempts, d.lastStatus,
                d.lastError == null ? "failed" : d.lastError, d.firstAttemptAt, clock.millis());
        try {
            producer.send(new ProducerRecord<>(deadLetters.name(), d.subscriptionId, deadLetters.serialize(letter)),
                    (metadata, error) -> {
                        if (error != null) {
                            log.warn("dead letter not written subscription={} eventId={}: {}; trying again",
                                    d.subscriptionId, d.event.eventId(), error.toString());
                            later(() -> deadLetter(queue, d), backoff.base());
                            return;
                        }
                        log.warn("webhook dead-lettered subscription={} accountId={} eventId={} attempts={}: {}",
                                d.subscriptionId, d.event.accountId(), d.event.eventId(), d.attempts, d.lastError);
                        count("dead_lettered");
                        finish(queue, d);
                    });
        } catch (RuntimeException e) {
            log.warn("dead letter not written subscription={} eventId={}: {}; trying again", d.subscriptionId,
                    d.event.eventId(), e.toString());
            later(() -> deadLetter(queue, d), backoff.base());
        }
    }

    /** The head is done: the commit tracker hears of it, and the queue goes on with its next delivery. */
    private void finish(Queue queue, Delivery d) {
        synchronized (queue) {
            if (queue.deliveries.peek() == d) {
                queue.deliveries.poll();
                queued.decrementAndGet();
            }
        }
        if (!d.cancelled) d.whenDone.run();
        run(queue);
    }

    private void later(Runnable task, Duration wait) {
        if (closed) return;
        try {
            timer.schedule(task, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    private void count(String outcome) {
        Counter.builder("bank.notifier.deliveries").description("Deliveries ended, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops: no new attempt starts; what is held is sent again after a restart (from the committed offsets). */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
