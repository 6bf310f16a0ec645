package dev.bank.processor.query;

import dev.bank.observability.InternalApi;
import dev.bank.observability.InternalApi.Paths;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.processor.config.InterestConfig;
import dev.bank.processor.topology.BankTopology;
import dev.bank.processor.topology.AccountEvents;
import dev.bank.processor.topology.History;
import dev.bank.processor.topology.InterestLogic;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudReviewList;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Json;
import dev.bank.schemas.Months;
import dev.bank.schemas.PartitionOwners;
import dev.bank.schemas.Problem;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldList;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.Transfer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The seam in front of interactive queries: answers from the local store when this instance owns the key,
 * otherwise asks the owning instance's query API. Any state in which the answer could be wrong (neither RUNNING nor
 * REBALANCING, the key's partition arriving here and not yet restored ({@link ServingPartitions}), the owner
 * unreachable, a forwarded question reaching an instance that no longer owns the key) is a
 * {@link NotReadyException}, never an empty answer, so a client sees "retry" and not a false "no such account".
 * A partition whose task stays here answers through a rebalance. Answers are futures: a local answer is already complete, a forwarded one completes when the
 * owner answers, without holding a thread meanwhile.
 */
public final class StoreQueries implements AutoCloseable {
    /**
     * Marks a question that must not be passed on: one instance forwarded it to another (no loops), or a gateway
     * sent it straight to the instance it knows as the account's owner. An instance that does not own the account
     * answers it with {@link MisdirectedException} (421).
     */
    public static final String FORWARDED_PARAM = InternalApi.NOT_PASSED_ON_PARAM;
    /**
     * On a forwarded part of the review queue: the partitions the asking instance counts on this one for
     * ({@code 0,3,5}); exactly those are answered, or none (503) when one of them is not active here.
     */
    public static final String PARTITIONS_PARAM = "partitions";

    /** How long the brokers may take to tell the changelogs' last stable offsets. */
    private static final Duration LAG_TIMEOUT = Duration.ofSeconds(1);
    /** How long a read waits for its copy check (the one under way, then its own): past that it answers 503. */
    private static final Duration COPY_CHECK_TIMEOUT = Duration.ofSeconds(2);
    /**
     * How long a read waits for a copy a few records behind to catch up: when an owner stops, its last commit reaches
     * the others' copies a moment later, and waiting for it is a slower answer instead of a refusal.
     */
    private static final Duration COPY_CATCH_UP = Duration.ofMillis(500);
    /** The copy checks' thread: one check at a time per instance ({@link CaughtUpCopies}). */
    private static final ExecutorService LAG_LOOKUPS = lagLookups();
    /** A standby host asked while the owner starts: short, as the owner's own 503 is the answer otherwise. */
    private static final Duration STANDBY_TIMEOUT = Duration.ofSeconds(1);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final InterestLogic interest;
    private final int partitions;
    private final String inputTopic;
    private final Admin admin;
    private final String applicationId;
    private final Forwarder forwarder;
    private final Forwarder standbyAsker;
    private final Counter standbyReads;
    private final Counter forwarded;
    private final Counter misdirected;
    private final ServingPartitions serving;
    private final CaughtUpCopies copies;

    /**
     * @param interest     the business zone that dates and statement months are read in
     * @param partitions   how many partitions the stores have (those of the commands topic): the review queue is
     *                     complete only when every one of them answered
     * @param inputTopic   the commands topic, keyed by accountId, whose partitions {@link #assignment()} tells
     * @param serviceToken the credential of the other instances' query APIs, for questions forwarded to them
     * @param registry     where the forwarded and misdirected reads are counted
     * @param admin        reads the changelogs' last stable offsets, for answers from a standby copy
     * @param applicationId names the changelog topics ({@code <applicationId>-<store>-changelog})
     */
    public StoreQueries(KafkaStreams streams, HostInfo self, InterestLogic interest, int partitions,
                        String inputTopic, String serviceToken, MeterRegistry registry,
                        ServingPartitions serving, Admin admin, String applicationId) {
        this.streams = streams;
        this.admin = admin;
        this.applicationId = applicationId;
        this.serving = serving;
        this.self = self;
        this.interest = interest;
        this.partitions = partitions;
        this.inputTopic = inputTopic;
        this.forwarder = new Forwarder(Forwarder.TIMEOUT, serviceToken);
        this.standbyAsker = new Forwarder(STANDBY_TIMEOUT, serviceToken);
        this.copies = new CaughtUpCopies(this::caughtUpPartitions, LAG_LOOKUPS, COPY_CHECK_TIMEOUT);
        this.standbyReads = Counter.builder("bank.query.standby.reads")
                .description("Account reads answered from a standby copy that had every committed write, because the "
                        + "owner could not answer (a task moving between instances)")
                .register(registry);
        this.forwarded = Counter.builder("bank.query.forwarded")
                .description("Account reads this instance passed on to the instance that owns the account")
                .register(registry);
        this.misdirected = Counter.builder("bank.query.misdirected")
                .description("Account reads refused (421) because another instance owns the account and the "
                        + "question was not to be passed on")
                .register(registry);
    }

    /**
     * A page of the account's postings, newest first, from the history store.
     *
     * @param from   earliest value time: an ISO date (start of that business day) or instant; null for no bound
     * @param to     latest value time: an ISO date (that business day included) or instant; null for no bound
     * @param cursor a previous page's {@code nextCursor}; null for the newest page
     */
    public CompletableFuture<Optional<byte[]>> history(String accountId, String from, String to, Integer limit,
                                                            String cursor, Viewer viewer, boolean forwarded) {
        long fromTs = from == null ? Long.MIN_VALUE : time(from, false);
        long toTs = to == null ? Long.MAX_VALUE : time(to, true);
        int size = limit == null ? History.DEFAULT_PAGE : limit;
        if (size < 1 || size > History.MAX_PAGE) {
            throw new BadQueryException("limit must be between 1 and " + History.MAX_PAGE + ", was " + size);
        }
        Long before = null;
        if (cursor != null) {
            before = cursor(cursor);
        }
        Long beforeSequence = before;
        Map<String, String> params = new LinkedHashMap<>();
        if (from != null) params.put("from", from);
        if (to != null) params.put("to", to);
        if (limit != null) params.put("limit", String.valueOf(limit));
        if (cursor != null) params.put("cursor", cursor);
        return routed(accountId, Paths.history(accountId, params),
                viewer, forwarded, partition -> visibleAccount(accountId, partition, viewer).map(
                        account -> History.page(historyStore(partition),
                                localStore(BankTopology.HOLDS_STORE, Hold.class, partition), account, fromTs, toTs,
                                size, beforeSequence)));
    }

    /**
     * The account's kept events with sequence above {@code after} (a whole number, default 0), oldest first, at most
     * {@code limit} (default and most {@link AccountEvents#MAX_PAGE}).
     */
    public CompletableFuture<Optional<byte[]>> events(String accountId, String after, Integer limit, Viewer viewer,
                                                      boolean forwarded) {
        if (after != null && !after.matches("[0-9]{1,18}")) {
            throw new BadQueryException("after must be an event sequence (a whole number), was "
                    + Problem.excerpt(after));
        }
        long afterSequence = after == null ? 0 : Long.parseLong(after);
        int size = limit == null ? AccountEvents.MAX_PAGE : limit;
        if (size < 1 || size > AccountEvents.MAX_PAGE) {
            throw new BadQueryException("limit must be between 1 and " + AccountEvents.MAX_PAGE + ", was " + size);
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (after != null) params.put("after", after);
        if (limit != null) params.put("limit", String.valueOf(limit));
        int kept = interest.config().eventsKept();
        return routed(accountId, Paths.events(accountId, params), viewer, forwarded,
                partition -> visibleAccount(accountId, partition, viewer).map(account -> AccountEvents.page(
                        localStore(BankTopology.ACCOUNT_EVENTS_STORE, AccountEvent.class, partition), accountId,
                        account.eventSequence(), afterSequence, size, kept)));
    }

    /** The account's statement for a month ({@code yyyy-MM}) of the business time zone. */
    public CompletableFuture<Optional<byte[]>> statement(String accountId, String month, Viewer viewer,
                                                            boolean forwarded) {
        YearMonth yearMonth = Months.parse(month);
        if (yearMonth == null) throw new BadQueryException("month " + Months.RULE + ", was " + Problem.excerpt(month));
        return routed(accountId, Paths.statement(accountId, yearMonth.toString()),
                viewer, forwarded, partition -> visibleAccount(accountId, partition, viewer).map(
                        account -> History.statement(historyStore(partition),
                                localStore(BankTopology.HOLDS_STORE, Hold.class, partition), account, yearMonth,
                                interest)));
    }

    /**
     * The account, when it exists and the viewer may see it: its owner, an admin, or one of our services. Another
     * principal is told nothing, exactly as for an account that does not exist.
     */
    private Optional<Account> visibleAccount(String accountId, int partition, Viewer viewer) {
        return Optional.ofNullable(localStore(BankTopology.ACCOUNTS_STORE, Account.class, partition).get(accountId))
                .filter(account -> viewer.maySee(account.owner()));
    }

    private ReadOnlyKeyValueStore<String, HistoryEntry> historyStore(int partition) {
        return localStore(BankTopology.HISTORY_STORE, HistoryEntry.class, partition);
    }

    /**
     * Answers from the account's own partition when this instance owns it, otherwise asks the owner (never twice).
     * Every store is partitioned like the accounts store (by accountId), so its metadata routes them all. Only the
     * key's own partition may answer: right after a rebalance it may still be restoring while the instance as a
     * whole is RUNNING, and asking all local stores would then wrongly find nothing (a 404 instead of a 503).
     */
    private <T> CompletableFuture<Optional<byte[]>> routed(String accountId, String path, Viewer viewer,
                                                           boolean forwarded,
                                                           IntFunction<Optional<T>> local) {
        KeyQueryMetadata metadata = owner(accountId);
        HostInfo owner = metadata.activeHost();
        int partition = metadata.partition();
        if (!owner.equals(self)) {
            serving.revoked(partition);
            if (forwarded) {
                Optional<CompletableFuture<Optional<byte[]>>> copy = fromCaughtUpCopy(partition, local);
                if (copy.isPresent()) return copy.get();
                misdirected.increment();
                throw new MisdirectedException("account " + accountId + " is on partition " + metadata.partition()
                        + ", which " + owner + " owns, not this instance");
            }
            this.forwarded.increment();
            // the owner cannot answer (a task moving to it is still starting there): a copy here that has every
            // committed write answers instead
            return forwarder.ask(owner, path, viewer).exceptionallyCompose(e ->
                    fromCaughtUpCopy(partition, local).orElseGet(() -> CompletableFuture.failedFuture(e)));
        }
        if (!serving.serves(partition)) {
            // the task is arriving here, usually from this instance's own standby: that copy answers as soon as it has
            // every committed write, so a takeover from a warm standby costs no gap while the task restores the rest
            Optional<CompletableFuture<Optional<byte[]>>> own = fromCaughtUpCopy(partition, local);
            if (own.isPresent()) return own.get();
            NotReadyException notReady = new NotReadyException("partition " + partition + " is taking over here "
                    + "and not yet restored (the processor is " + streams.state() + ")");
            if (forwarded) throw notReady;
            // an instance holding a copy answers if its copy has every committed write: the listed standby hosts,
            // and the others too (the instance that just handed this task over keeps it as a standby before the
            // metadata says so)
            Set<HostInfo> hosts = new LinkedHashSet<>(metadata.standbyHosts());
            streams.metadataForAllStreamsClients().forEach(client -> hosts.add(client.hostInfo()));
            return fromStandbyHosts(hosts, path, viewer, notReady);
        }
        try {
            return CompletableFuture.completedFuture(local.apply(partition).map(Json::bytes));
        } catch (InvalidStateStoreException e) {
            throw new NotReadyException("partition " + metadata.partition() + " of the stores is not "
                    + "queryable right now: " + e.getMessage(), e);
        }
    }

    /**
     * The answer from this instance's copy of {@code partition} (a standby, or a task arriving here and still
     * restoring), if it has every committed write ({@link CaughtUpCopies}), at once or within {@link #COPY_CATCH_UP}:
     * then no write a client was told succeeded is missing from it. The check costs broker round trips, so this is
     * only for reads the owner cannot answer: a task moving between instances, an owner not yet serving, stalled or
     * gone. It blocks the calling thread meanwhile (at most the check's time-out and the wait).
     */
    private <T> Optional<CompletableFuture<Optional<byte[]>>> fromCaughtUpCopy(int partition,
                                                                          IntFunction<Optional<T>> local) {
        long giveUp = System.nanoTime() + COPY_CATCH_UP.toNanos();
        while (true) {
            if (copies.hasEveryCommittedWrite(partition)) {
                try {
                    Optional<byte[]> answer = local.apply(partition).map(Json::bytes);
                    standbyReads.increment();
                    return Optional.of(CompletableFuture.completedFuture(answer));
                } catch (InvalidStateStoreException e) {
                    // the copy is between a standby and an active task (a task arriving): it is back in a moment
                } catch (RuntimeException e) { // not running, shutting down: no copy to answer from
                    return Optional.empty();
                }
            }
            if (System.nanoTime() >= giveUp) return Optional.empty();
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * The partitions whose every local store has every committed write: its changelog position (from Streams' lags)
     * at most one short of the changelog's last stable offset (the end a read-committed reader sees: a transaction
     * still open does not count, one committed since does). A caught-up copy stops before the commit marker that ends
     * the last transaction it applied, hence the one.
     */
    private Set<Integer> caughtUpPartitions() throws Exception {
        Map<TopicPartition, Long> positions = new HashMap<>();
        streams.allLocalStorePartitionLags().forEach((store, byPartition) -> byPartition.forEach((partition, lag) ->
                positions.put(new TopicPartition(applicationId + "-" + store + "-changelog", partition),
                        lag.currentOffsetPosition())));
        if (positions.isEmpty()) return Set.of();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        positions.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(latest,
                        new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs((int) LAG_TIMEOUT.toMillis()))
                .all().get(LAG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<Integer, Boolean> complete = new HashMap<>();
        positions.forEach((tp, position) -> complete.merge(tp.partition(),
                stable.containsKey(tp) && position >= stable.get(tp).offset() - 1, Boolean::logicalAnd));
        Set<Integer> caughtUp = new TreeSet<>();
        complete.forEach((partition, yes) -> {
            if (yes) caughtUp.add(partition);
        });
        return caughtUp;
    }

    private static ExecutorService lagLookups() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                r -> {
                    Thread t = new Thread(r, "standby-lag-lookup");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Asks each standby host in turn (marked not to be passed on) until one answers from a caught-up copy. */
    private CompletableFuture<Optional<byte[]>> fromStandbyHosts(Set<HostInfo> hosts, String path, Viewer viewer,
                                                                 NotReadyException notReady) {
        CompletableFuture<Optional<byte[]>> answer = CompletableFuture.failedFuture(notReady);
        for (HostInfo host : hosts) {
            if (host.equals(self)) continue;
            answer = answer.exceptionallyCompose(e -> standbyAsker.ask(host, path, viewer));
        }
        return answer.exceptionallyCompose(e -> CompletableFuture.failedFuture(notReady));
    }

    /** A page's {@code nextCursor}: a sequence number, so at most {@link Long#MAX_VALUE}. */
    private static long cursor(String text) {
        try {
            if (text.matches("[0-9]{1,19}")) return Long.parseLong(text);
        } catch (NumberFormatException e) {
            // 19 digits above Long.MAX_VALUE: not one we gave out either
        }
        throw new BadQueryException("cursor " + Problem.excerpt(text) + " is not one we gave out");
    }

    /** An ISO date (business zone; the start of the day, or its end when {@code endOfDay}) or an ISO instant. */
    private long time(String text, boolean endOfDay) {
        try {
            if (text.length() == 10) {
                LocalDate date = LocalDate.parse(text);
                return endOfDay ? interest.endOfDay(date) : interest.startOfDay(date);
            }
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) { // ArithmeticException: beyond epoch millis
            throw new BadQueryException("from and to must be ISO dates (2025-03-01) or instants "
                    + "(2025-03-01T09:00:00Z), was " + Problem.excerpt(text));
        }
    }

    public CompletableFuture<Optional<byte[]>> account(String accountId, Viewer viewer, boolean forwarded) {
        return routed(accountId, Paths.account(accountId), viewer, forwarded,
                partition -> visibleAccount(accountId, partition, viewer));
    }

    /** The outcome of an already processed transactionId, e.g. for a client polling after a timeout. */
    public CompletableFuture<Optional<byte[]>> outcome(String accountId, String transactionId, Viewer viewer,
                                                        boolean forwarded) {
        return lookup(BankTopology.PROCESSED_STORE, accountId,
                BankTopology.accountScopedKey(accountId, transactionId), ProcessedCommand.class,
                ProcessedCommand::outcome,
                Paths.outcome(accountId, transactionId),
                viewer, forwarded);
    }

    /** A transfer as this account sees it (sent or received). */
    public CompletableFuture<Optional<byte[]>> transfer(String accountId, String transferId, Viewer viewer,
                                                          boolean forwarded) {
        return lookup(BankTopology.TRANSFERS_STORE, accountId, BankTopology.accountScopedKey(accountId, transferId),
                Transfer.class, Function.identity(),
                Paths.transfer(accountId, transferId), viewer,
                forwarded);
    }

    /** One of the account's holds, active or ended. */
    public CompletableFuture<Optional<byte[]>> hold(String accountId, String holdId, Viewer viewer, boolean forwarded) {
        return lookup(BankTopology.HOLDS_STORE, accountId, BankTopology.accountScopedKey(accountId, holdId),
                Hold.class, Function.identity(), Paths.hold(accountId, holdId), viewer, forwarded);
    }

    /** The account's active holds, oldest first. */
    public CompletableFuture<Optional<byte[]>> holds(String accountId, Viewer viewer, boolean forwarded) {
        return routed(accountId, Paths.holds(accountId), viewer, forwarded,
                partition -> visibleAccount(accountId, partition, viewer).map(account -> new HoldList(accountId,
                        account.currency(), account.heldMinor(), History.holdsOf(localStore(BankTopology.HOLDS_STORE,
                                Hold.class, partition), accountId, h -> h.status() == HoldStatus.ACTIVE))));
    }

    // ---- fraud reviews: what the rules found names rules and thresholds, so only admins and services see them ----

    /** Whether the viewer may read fraud reviews: an admin or a service; a customer never, not even their own. */
    private static boolean readsReviews(Viewer viewer) {
        return viewer.principal() == null || viewer.admin();
    }

    /** One of the account's fraud reviews (its id is the held payment's transactionId), pending or ended. */
    public CompletableFuture<Optional<byte[]>> review(String accountId, String reviewId, Viewer viewer,
                                                       boolean forwarded) {
        if (!readsReviews(viewer)) return CompletableFuture.completedFuture(Optional.empty());
        return lookup(BankTopology.FRAUD_REVIEWS_STORE, accountId, BankTopology.accountScopedKey(accountId, reviewId),
                FraudReview.class, Function.identity(), Paths.review(accountId, reviewId), viewer, forwarded);
    }

    /** The account's fraud reviews, oldest first: those of {@code status} (null: all), at most {@code limit}. */
    public CompletableFuture<Optional<byte[]>> reviews(String accountId, String status, Integer limit, Viewer viewer,
                                                        boolean forwarded) {
        ReviewStatus only = Reviews.status(status);
        int size = Reviews.limit(limit);
        if (!readsReviews(viewer)) return CompletableFuture.completedFuture(Optional.empty());
        Map<String, String> params = new LinkedHashMap<>();
        if (status != null) params.put("status", status);
        if (limit != null) params.put("limit", String.valueOf(limit));
        return routed(accountId, Paths.reviews(accountId, params), viewer, forwarded,
                partition -> visibleAccount(accountId, partition, viewer).map(account -> Reviews.ofAccount(
                        localStore(BankTopology.FRAUD_REVIEWS_STORE, FraudReview.class, partition), accountId, only,
                        size)));
    }

    /**
     * The review queue: the reviews of {@code status} (null: PENDING) of every account, oldest first, at most
     * {@code limit}. Scatter-gather: every partition is owned by exactly one instance, which answers for its own
     * partitions from its local stores; this instance answers for its own and asks each other owner, once, for the
     * partitions the metadata says it has ({@link #PARTITIONS_PARAM}, marked as forwarded so it is never passed on).
     * The answer is the whole queue or none: a partition without an owner, an owner that does not answer, or one that
     * no longer has a partition it was asked for is a {@link NotReadyException} (503), never a shorter queue.
     *
     * @param partitionsAsked on a forwarded question, the partitions to answer for (required there, ignored otherwise)
     */
    public CompletableFuture<Optional<byte[]>> reviewQueue(String status, Integer limit, String partitionsAsked,
                                                            Viewer viewer, boolean forwarded) {
        ReviewStatus only = status == null ? ReviewStatus.PENDING : Reviews.status(status);
        int size = Reviews.limit(limit);
        if (!readsReviews(viewer)) return CompletableFuture.completedFuture(Optional.empty());
        requireRunning();
        if (forwarded) {
            return CompletableFuture.completedFuture(Optional.of(Json.bytes(localQueue(partitions(partitionsAsked),
                    only, size))));
        }
        List<CompletableFuture<FraudReviewList>> parts = new ArrayList<>();
        partitionOwners().forEach((owner, owned) -> {
            if (owner.equals(self)) {
                parts.add(CompletableFuture.completedFuture(localQueue(owned, only, size)));
                return;
            }
            Map<String, String> params = new LinkedHashMap<>();
            params.put("status", only.name());
            params.put("limit", String.valueOf(size));
            params.put(PARTITIONS_PARAM, String.join(",", owned.stream().map(String::valueOf).toList()));
            parts.add(forwarder.ask(owner, Paths.reviewQueue(params), viewer).thenApply(answer -> answer
                    .map(StoreQueries::reviewList)
                    .orElseThrow(() -> new NotReadyException("owner " + owner + " did not answer its part of the "
                            + "review queue"))));
        });
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> Optional.of(
                Json.bytes(Reviews.merge(parts.stream().map(CompletableFuture::join).toList(), size))));
    }

    /** This instance's part of the queue: the reviews of its active partitions {@code owned}. */
    private FraudReviewList localQueue(Set<Integer> owned, ReviewStatus status, int limit) {
        List<FraudReviewList> found = new ArrayList<>();
        for (int partition : owned) {
            if (!serving.serves(partition)) {
                throw new NotReadyException("partition " + partition + " is not yet restored here");
            }
            try {
                found.add(Reviews.ofPartition(localStore(BankTopology.FRAUD_REVIEWS_STORE, FraudReview.class,
                        partition), status, limit));
            } catch (InvalidStateStoreException e) {
                throw new NotReadyException("partition " + partition + " of the stores is not queryable here right "
                        + "now: " + e.getMessage(), e);
            }
        }
        return Reviews.merge(found, limit);
    }

    /**
     * Which instance owns each partition of the stores, by the current metadata; every partition must have an owner
     * (while one has none, a rebalance is under way and the queue would be incomplete).
     */
    private Map<HostInfo, Set<Integer>> partitionOwners() {
        Map<HostInfo, Set<Integer>> owners = new TreeMap<>(java.util.Comparator.comparing(HostInfo::host)
                .thenComparingInt(HostInfo::port));
        Set<Integer> covered = new TreeSet<>();
        for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
            if (!instance.stateStoreNames().contains(BankTopology.FRAUD_REVIEWS_STORE)) continue;
            for (TopicPartition tp : instance.topicPartitions()) {
                // the sources are co-partitioned: a partition number is one task, whichever topic names it
                if (tp.partition() < partitions && covered.add(tp.partition())) {
                    owners.computeIfAbsent(instance.hostInfo(), h -> new TreeSet<>()).add(tp.partition());
                }
            }
        }
        if (covered.size() < partitions) {
            throw new NotReadyException("only " + covered.size() + " of " + partitions + " partitions have an owner "
                    + "(rebalancing)");
        }
        return owners;
    }

    /**
     * Which instance holds which partition of the input topic, by this instance's current view of the group's
     * assignment (Kafka Streams' metadata, which every member learns in each rebalance). Whoever uses it must still
     * be ready for an instance that no longer owns what it says here: the owner checks every question (421).
     */
    public PartitionOwners assignment() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new NotReadyException("the processor is " + state + ": it knows no assignment");
        }
        List<PartitionOwners.Instance> instances = new ArrayList<>();
        for (StreamsMetadata instance : streams.metadataForAllStreamsClients()) {
            // only tasks with the accounts store answer account reads; all stores are in that one task per partition
            Set<Integer> active = instance.stateStoreNames().contains(BankTopology.ACCOUNTS_STORE)
                    ? inputPartitions(instance.topicPartitions()) : Set.of();
            Set<Integer> standby = instance.standbyStateStoreNames().contains(BankTopology.ACCOUNTS_STORE)
                    ? inputPartitions(instance.standbyTopicPartitions()) : Set.of();
            HostInfo host = instance.hostInfo();
            instances.add(new PartitionOwners.Instance("http://" + host.host() + ":" + host.port(),
                    List.copyOf(active), List.copyOf(standby)));
        }
        instances.sort(java.util.Comparator.comparing(PartitionOwners.Instance::url));
        return new PartitionOwners(inputTopic, partitions, assignmentVersion(instances), instances);
    }

    private Set<Integer> inputPartitions(Set<TopicPartition> held) {
        Set<Integer> numbers = new TreeSet<>();
        for (TopicPartition tp : held) {
            if (tp.topic().equals(inputTopic) && tp.partition() < partitions) numbers.add(tp.partition());
        }
        return numbers;
    }

    /** A digest of the assignment: equal on every instance that sees the same one, different once it changes. */
    static String assignmentVersion(List<PartitionOwners.Instance> sortedInstances) {
        StringBuilder text = new StringBuilder();
        for (PartitionOwners.Instance instance : sortedInstances) {
            text.append(instance.url()).append(' ').append(instance.active()).append(' ').append(instance.standby())
                    .append('\n');
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A forwarded question's {@link #PARTITIONS_PARAM}: partition numbers, comma-separated, each below the count. */
    private Set<Integer> partitions(String text) {
        if (text == null || text.isEmpty() || text.length() > 6 * partitions
                || !text.matches("[0-9]{1,5}(,[0-9]{1,5})*")) {
            throw new BadQueryException(PARTITIONS_PARAM + " must list partition numbers below " + partitions
                    + " (0,3,5), was " + Problem.excerpt(String.valueOf(text)));
        }
        Set<Integer> owned = new TreeSet<>();
        for (String p : text.split(",")) {
            int partition = Integer.parseInt(p);
            if (partition >= partitions) {
                throw new BadQueryException("partition " + partition + " does not exist; there are " + partitions);
            }
            owned.add(partition);
        }
        return owned;
    }

    private static FraudReviewList reviewList(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, FraudReviewList.class);
        } catch (IOException e) {
            throw new NotReadyException("another instance answered an unreadable review queue: " + e.getMessage(),
                    new UncheckedIOException(e));
        }
    }

    private <V, T> CompletableFuture<Optional<byte[]>> lookup(String store, String accountId, String storeKey,
                                                         Class<V> stored, Function<V, T> answer,
                                                         String path, Viewer viewer, boolean forwarded) {
        // what is kept about an account is told only to those who may see the account
        return routed(accountId, path, viewer, forwarded, partition ->
                (viewer.principal() == null || visibleAccount(accountId, partition, viewer).isPresent()
                        ? Optional.ofNullable(localStore(store, stored, partition).get(storeKey))
                        : Optional.<V>empty()).map(answer));
    }

    private void requireRunning() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new NotReadyException("the processor is " + streams.state() + ", not RUNNING");
        }
    }

    /**
     * The account's partition and its active owner. Asked during a rebalance too: partitions that stay where they are
     * keep answering ({@link ServingPartitions}); only those moving wait.
     */
    private KeyQueryMetadata owner(String accountId) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new NotReadyException("the processor is " + state + ", not RUNNING");
        }
        // Every store is partitioned like the commands topic, whose key is the accountId.
        KeyQueryMetadata metadata = streams.queryMetadataForKey(BankTopology.ACCOUNTS_STORE, accountId,
                Serdes.String().serializer());
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            throw new NotReadyException("no instance owns account " + accountId + " yet (rebalancing)");
        }
        return metadata;
    }

    /**
     * The store of one partition. Callers read it only while {@link ServingPartitions} says its active task runs here
     * with complete stores: Streams' own check (every task of the instance RUNNING) would refuse it during any
     * rebalance, so it is asked for "stale" stores, which it also hands out while other tasks restore. Throws when
     * the task is gone (moved away meanwhile).
     */
    private <V> ReadOnlyKeyValueStore<String, V> localStore(String name, Class<V> type, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition).enableStaleStores());
    }

    @Override
    public void close() {
        forwarder.close();
        standbyAsker.close();
    }
}
