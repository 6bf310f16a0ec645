package dev.bank.processor.query;

import dev.bank.processor.topology.BankTopology;
import dev.bank.schemas.Account;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
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

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The seam in front of interactive queries: answers from the local store when this instance owns the key,
 * otherwise asks the owning instance's query API. Any state in which the answer could be wrong (not RUNNING,
 * a rebalance in progress, the owner unreachable, a forwarded question reaching an instance that no longer
 * owns the key) is a {@link NotReadyException}, never an empty answer, so a client sees "retry" and not a false
 * "no such account".
 */
public final class StoreQueries {
    /** Marks a question one instance forwarded to another, so it is never forwarded again (no loops). */
    public static final String FORWARDED_PARAM = "forwarded";

    private final KafkaStreams streams;
    private final HostInfo self;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public StoreQueries(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
    }

    public Optional<Account> account(String accountId, boolean forwarded) {
        return lookup(BankTopology.ACCOUNTS_STORE, accountId, accountId, Account.class, Account.class,
                Function.identity(),
                "/internal/accounts/" + encode(accountId), forwarded);
    }

    /** The outcome of an already processed transactionId, e.g. for a client polling after a timeout. */
    public Optional<Outcome> outcome(String accountId, String transactionId, boolean forwarded) {
        return lookup(BankTopology.PROCESSED_STORE, accountId,
                BankTopology.accountScopedKey(accountId, transactionId), ProcessedCommand.class, Outcome.class,
                ProcessedCommand::outcome,
                "/internal/accounts/" + encode(accountId) + "/transactions/" + encode(transactionId), forwarded);
    }

    /** A transfer as this account sees it (sent or received). */
    public Optional<Transfer> transfer(String accountId, String transferId, boolean forwarded) {
        return lookup(BankTopology.TRANSFERS_STORE, accountId, BankTopology.accountScopedKey(accountId, transferId),
                Transfer.class, Transfer.class, Function.identity(),
                "/internal/accounts/" + encode(accountId) + "/transfers/" + encode(transferId), forwarded);
    }

    private <V, T> Optional<T> lookup(String store, String accountId, String storeKey, Class<V> stored,
                                      Class<T> answerType, Function<V, T> answer, String path, boolean forwarded) {
        KeyQueryMetadata metadata = owner(store, accountId);
        HostInfo owner = metadata.activeHost();
        if (!owner.equals(self)) {
            if (forwarded) {
                throw new NotReadyException("account " + accountId + " moved to " + owner + " while asked");
            }
            return forward(owner, path, answerType);
        }
        // Only the key's own partition can answer: right after a rebalance it may still be restoring while the
        // instance as a whole is RUNNING, and asking all local stores would then wrongly find nothing (a 404).
        try {
            V value = localStore(store, stored, metadata.partition()).get(storeKey);
            return Optional.ofNullable(value).map(answer);
        } catch (InvalidStateStoreException e) {
            throw new NotReadyException("partition " + metadata.partition() + " of " + store
                    + " is not queryable right now: " + e.getMessage(), e);
        }
    }

    private KeyQueryMetadata owner(String store, String accountId) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new NotReadyException("the processor is " + streams.state() + ", not RUNNING");
        }
        // Every store is partitioned like the commands topic, whose key is the accountId.
        KeyQueryMetadata metadata = streams.queryMetadataForKey(store, accountId, Serdes.String().serializer());
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

    private <T> Optional<T> forward(HostInfo owner, String path, Class<T> type) {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + path + "?" + FORWARDED_PARAM + "=true");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET().build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return switch (response.statusCode()) {
                case 200 -> Optional.of(Json.MAPPER.readValue(response.body(), type));
                case 404 -> Optional.empty();
                default -> throw new NotReadyException("owner " + owner + " answered " + response.statusCode());
            };
        } catch (IOException e) {
            throw new NotReadyException("owner " + owner + " is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotReadyException("interrupted while asking " + owner, e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
