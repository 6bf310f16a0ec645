package dev.bank.gateway.kafka;

import dev.bank.gateway.config.DirectReadsConfig;
import dev.bank.observability.InternalApi.Paths;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.observability.QueryClient;
import dev.bank.schemas.Json;
import dev.bank.schemas.PartitionOwners;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The gateway's {@link OwnerTable}, kept fresh: asked of the configured processors every
 * {@link DirectReadsConfig#refresh()} and at once (at most every {@link DirectReadsConfig#MIN_REFRESH_GAP}) when a
 * read missed its owner. The metadata is asked only of the configured processor URLs, with the service credential;
 * the owners' URLs it names are checked ({@link OwnerTable#queryUrl}) before any read goes there. One refresh runs at
 * a time, on no request's thread; when none succeeds the old table stays until it is too old to use.
 * <p>
 * An owner that did not answer is left out of the tables learned after it for {@link DirectReadsConfig#maxAge()}
 * (again from each time it fails again), or until the assignment changes: the group may go on naming a dead instance
 * until its session times out, and an address the gateway cannot reach (a firewall that drops, a wrong
 * {@code application.server}) would otherwise make a read wait for the connect time-out after every refresh.
 */
final class OwnerDirectory implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OwnerDirectory.class);

    private final List<String> processorUrls;
    private final QueryClient client;
    private final DirectReadsConfig config;
    private final LongSupplier nanoTime;
    private final AtomicReference<OwnerTable> table = new AtomicReference<>(OwnerTable.EMPTY);
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean soonScheduled = new AtomicBoolean();
    private final AtomicLong lastAttemptNanos;
    private final ScheduledExecutorService scheduler;
    private final Counter refreshed;
    private final Counter failed;
    private volatile boolean failing;
    /** owners that did not answer, with when they may be asked again */
    private final Map<String, Long> unreachableUntil = new ConcurrentHashMap<>();

    OwnerDirectory(List<String> processorUrls, QueryClient client, DirectReadsConfig config, MeterRegistry registry,
                   LongSupplier nanoTime) {
        this.processorUrls = List.copyOf(processorUrls);
        this.client = client;
        this.config = config;
        this.nanoTime = nanoTime;
        this.lastAttemptNanos = new AtomicLong(nanoTime.getAsLong() - config.refresh().toNanos());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "owner-table");
            thread.setDaemon(true);
            return thread;
        });
        this.refreshed = Counter.builder("bank.gateway.owners.refreshes").tag("result", "ok")
                .description("Refreshes of the table of partition owners, by result").register(registry);
        this.failed = Counter.builder("bank.gateway.owners.refreshes").tag("result", "failed")
                .description("Refreshes of the table of partition owners, by result").register(registry);
        Gauge.builder("bank.gateway.owners.age", this, OwnerDirectory::ageSeconds).baseUnit("seconds")
                .description("Age of the table of partition owners (NaN: none yet)").register(registry);
        Gauge.builder("bank.gateway.owners.instances", this, d -> d.table.get().owners().size())
                .description("Processor instances the table of partition owners sends reads to").register(registry);
    }

    /** Starts refreshing: at once, then every {@link DirectReadsConfig#refresh()}. */
    OwnerDirectory start() {
        scheduler.scheduleWithFixedDelay(this::refreshQuietly, 0, config.refresh().toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Where the read of {@code accountId} goes now. */
    OwnerTable.Route route(String accountId) {
        return table.get().route(accountId, nanoTime.getAsLong(), config.maxAge().toNanos());
    }

    /**
     * A direct read missed: the owner said the account is not its own (its partition is forgotten) or did not answer
     * (all it owned is forgotten); either way the table is asked for again soon. Other misses change nothing here.
     */
    void missed(OwnerTable.Route route, OwnerTable.Miss why) {
        if (why == OwnerTable.Miss.MISDIRECTED) {
            table.updateAndGet(t -> t.withoutOwner(route.partition(), route.url()));
        } else if (why == OwnerTable.Miss.UNREACHABLE) {
            unreachableUntil.put(route.url(), nanoTime.getAsLong() + config.maxAge().toNanos());
            table.updateAndGet(t -> t.withoutInstance(route.url()));
        } else {
            return;
        }
        refreshSoon();
    }

    /** A refresh now, or as soon as the gap since the last attempt allows; many calls meanwhile make one. */
    void refreshSoon() {
        if (!soonScheduled.compareAndSet(false, true)) return;
        long sinceLast = nanoTime.getAsLong() - lastAttemptNanos.get();
        long wait = Math.max(0, DirectReadsConfig.MIN_REFRESH_GAP.toNanos() - sinceLast);
        try {
            scheduler.schedule(() -> {
                soonScheduled.set(false);
                refreshQuietly();
            }, wait, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            soonScheduled.set(false);
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("refreshing the partition owners failed: {}", e.toString());
        }
    }

    /**
     * Asks the configured processors in order for the owners until one answers usably; true when the table was
     * replaced. Completes without blocking the caller; skipped (false) while another refresh runs.
     */
    CompletableFuture<Boolean> refresh() {
        if (!refreshing.compareAndSet(false, true)) return CompletableFuture.completedFuture(false);
        lastAttemptNanos.set(nanoTime.getAsLong());
        return ask(0, "no processor configured").whenComplete((replaced, error) -> refreshing.set(false));
    }

    private CompletableFuture<Boolean> ask(int index, String lastProblem) {
        if (index >= processorUrls.size()) {
            failed.increment();
            if (!failing) {
                failing = true;
                log.warn("no processor told the partition owners ({}); reads go through the configured processors "
                        + "once the table is older than {}", lastProblem, config.maxAge());
            } else {
                log.debug("no processor told the partition owners: {}", lastProblem);
            }
            return CompletableFuture.completedFuture(false);
        }
        String base = processorUrls.get(index);
        return client.get(base, Paths.PARTITIONS, Viewer.SERVICE).handle((answer, error) -> {
            if (error != null) return Optional.<String>of((error.getCause() != null ? error.getCause() : error)
                    .getMessage());
            return learn(base, answer);
        }).thenCompose(problem -> problem.isEmpty() ? CompletableFuture.completedFuture(true)
                : ask(index + 1, problem.get()));
    }

    /** Replaces the table with a processor's answer; empty when it did, else what was wrong with the answer. */
    private Optional<String> learn(String base, Optional<byte[]> answer) {
        if (answer.isEmpty()) return Optional.of(base + " does not serve the partition owners (404)");
        long now = nanoTime.getAsLong();
        OwnerTable next;
        try {
            next = OwnerTable.of(Json.MAPPER.readValue(answer.get(), PartitionOwners.class), now);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return Optional.of(base + " told unusable partition owners: " + e.getMessage());
        }
        if (!java.util.Objects.equals(table.get().version(), next.version())) unreachableUntil.clear();
        unreachableUntil.values().removeIf(until -> until - now <= 0);
        for (String url : unreachableUntil.keySet()) next = next.withoutInstance(url);
        OwnerTable before = table.getAndSet(next);
        refreshed.increment();
        if (failing) {
            failing = false;
            log.info("the partition owners are known again, from {}", base);
        }
        if (!java.util.Objects.equals(before.version(), next.version()) || before.partitions() != next.partitions()) {
            log.info("partition owners version {}: {} partitions, {} without an owner, owners {}", next.version(),
                    next.partitions(), next.unowned(), next.owners());
        }
        return Optional.empty();
    }

    /** The table as it is now (for tests and diagnostics). */
    OwnerTable table() {
        return table.get();
    }

    private double ageSeconds() {
        OwnerTable current = table.get();
        return current.isEmpty() ? Double.NaN : (nanoTime.getAsLong() - current.learnedAtNanos()) / 1e9;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
