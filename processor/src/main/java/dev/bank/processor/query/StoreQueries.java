package dev.bank.processor.query;

import dev.bank.observability.InternalApi.Paths;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.processor.config.InterestConfig;
import dev.bank.processor.topology.BankTopology;
import dev.bank.processor.topology.History;
import dev.bank.processor.topology.InterestLogic;
import dev.bank.schemas.Account;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Json;
import dev.bank.schemas.Months;
import dev.bank.schemas.Problem;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldList;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Transfer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The seam in front of interactive queries: answers from the local store when this instance owns the key,
 * otherwise asks the owning instance's query API. Any state in which the answer could be wrong (not RUNNING,
 * a rebalance in progress, the owner unreachable, a forwarded question reaching an instance that no longer
 * owns the key) is a {@link NotReadyException}, never an empty answer, so a client sees "retry" and not a false
 * "no such account". Answers are futures: a local answer is already complete, a forwarded one completes when the
 * owner answers, without holding a thread meanwhile.
 */
public final class StoreQueries implements AutoCloseable {
    /** Marks a question one instance forwarded to another, so it is never forwarded again (no loops). */
    public static final String FORWARDED_PARAM = "forwarded";

    private final KafkaStreams streams;
    private final HostInfo self;
    private final InterestLogic interest;
    private final Forwarder forwarder;

    /**
     * @param interest     the business zone that dates and statement months are read in
     * @param serviceToken the credential of the other instances' query APIs, for questions forwarded to them
     */
    public StoreQueries(KafkaStreams streams, HostInfo self, InterestLogic interest, String serviceToken) {
        this.streams = streams;
        this.self = self;
        this.interest = interest;
        this.forwarder = new Forwarder(Forwarder.TIMEOUT, serviceToken);
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
        if (!owner.equals(self)) {
            if (forwarded) {
                throw new NotReadyException("account " + accountId + " moved to " + owner + " while asked");
            }
            return forwarder.ask(owner, path, viewer);
        }
        try {
            return CompletableFuture.completedFuture(local.apply(metadata.partition()).map(Json::bytes));
        } catch (InvalidStateStoreException e) {
            throw new NotReadyException("partition " + metadata.partition() + " of the stores is not "
                    + "queryable right now: " + e.getMessage(), e);
        }
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

    private <V, T> CompletableFuture<Optional<byte[]>> lookup(String store, String accountId, String storeKey,
                                                         Class<V> stored, Function<V, T> answer,
                                                         String path, Viewer viewer, boolean forwarded) {
        // what is kept about an account is told only to those who may see the account
        return routed(accountId, path, viewer, forwarded, partition ->
                (viewer.principal() == null || visibleAccount(accountId, partition, viewer).isPresent()
                        ? Optional.ofNullable(localStore(store, stored, partition).get(storeKey))
                        : Optional.<V>empty()).map(answer));
    }

    private KeyQueryMetadata owner(String accountId) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new NotReadyException("the processor is " + streams.state() + ", not RUNNING");
        }
        // Every store is partitioned like the commands topic, whose key is the accountId.
        KeyQueryMetadata metadata = streams.queryMetadataForKey(BankTopology.ACCOUNTS_STORE, accountId,
                Serdes.String().serializer());
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            throw new NotReadyException("no instance owns account " + accountId + " yet (rebalancing)");
        }
        return metadata;
    }

    /** The store of one partition, only while its task is active and RUNNING (throws otherwise). */
    private <V> ReadOnlyKeyValueStore<String, V> localStore(String name, Class<V> type, int partition) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    @Override
    public void close() {
        forwarder.close();
    }
}
