package dev.bank.gateway.kafka;

import dev.bank.schemas.KeyPartitioner;
import dev.bank.schemas.PartitionOwners;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which processor owns which partition, as the processors last said ({@link PartitionOwners}), and when that was:
 * immutable, replaced whole by each refresh. A lookup gives the owner's URL of an account's partition
 * ({@link KeyPartitioner}, as the producer placed its commands), or why there is none to use: no table yet, too old,
 * or nobody holds that partition now. Being wrong is harmless by design: the owner checks every question and answers
 * 421 when the account is not its own, and the gateway then asks as if there were no table.
 */
final class OwnerTable {
    /** More partitions than any topic here has; a larger count in an answer is a broken or hostile one. */
    static final int MAX_PARTITIONS = 100_000;
    /** Instances in one answer, likewise. */
    static final int MAX_INSTANCES = 10_000;

    /** Why a read went to the configured processors instead of straight to the owner. */
    enum Miss {
        /** direct reads are switched off ({@code BANK_GATEWAY_DIRECT_READS=false}) */
        DISABLED("disabled"),
        /** no processor has told the owners yet */
        NO_TABLE("no_table"),
        /** the table is older than {@code BANK_GATEWAY_OWNERS_MAX_AGE}: no refresh has worked for that long */
        STALE("stale"),
        /** no instance holds the account's partition (a rebalance, or its owner was found gone) */
        NO_OWNER("no_owner"),
        /** the owner did not answer (refused, timed out) */
        UNREACHABLE("unreachable"),
        /** the owner said the account is not its own (421): ownership moved */
        MISDIRECTED("misdirected"),
        /** the owner answered 503 (restoring, rebalancing) or another status */
        NOT_READY("not_ready"),
        /** the owner's 200 was not the JSON expected */
        UNREADABLE("unreadable");

        final String tag;

        Miss(String tag) {
            this.tag = tag;
        }
    }

    /** Where to send one account's read: the owner's URL, or (url null) why there is none. */
    record Route(String accountId, int partition, String url, Miss miss) {
        boolean direct() {
            return url != null;
        }
    }

    static final OwnerTable EMPTY = new OwnerTable(0, null, new String[0], Long.MIN_VALUE);

    private final int partitions;
    private final String version;
    /** owner URL per partition; null: none */
    private final String[] owners;
    private final long learnedAtNanos;

    private OwnerTable(int partitions, String version, String[] owners, long learnedAtNanos) {
        this.partitions = partitions;
        this.version = version;
        this.owners = owners;
        this.learnedAtNanos = learnedAtNanos;
    }

    /**
     * The table of a processor's answer, learned at {@code nowNanos}; every URL and partition checked. A partition
     * two instances claim as active (a view caught in the middle of a rebalance) gets no owner.
     *
     * @throws IllegalArgumentException the answer is not one a processor writes (say why)
     */
    static OwnerTable of(PartitionOwners answer, long nowNanos) {
        if (answer == null) throw new IllegalArgumentException("no answer");
        int count = answer.partitions();
        if (count < 1 || count > MAX_PARTITIONS) {
            throw new IllegalArgumentException("a partition count of " + count + " is not plausible");
        }
        if (answer.instances().size() > MAX_INSTANCES) {
            throw new IllegalArgumentException(answer.instances().size() + " instances is not plausible");
        }
        String[] owners = new String[count];
        Set<Integer> contested = new HashSet<>();
        for (PartitionOwners.Instance instance : answer.instances()) {
            if (instance == null) throw new IllegalArgumentException("an instance is null");
            String url = queryUrl(instance.url());
            for (Integer partition : instance.active()) {
                if (partition == null || partition < 0 || partition >= count) {
                    throw new IllegalArgumentException("partition " + partition + " of " + url + " is not one of "
                            + count);
                }
                if (owners[partition] != null && !owners[partition].equals(url)) contested.add(partition);
                owners[partition] = url;
            }
        }
        for (int partition : contested) owners[partition] = null;
        return new OwnerTable(count, answer.version(), owners, nowNanos);
    }

    /**
     * A processor's query URL as learned from the metadata, normalized ({@code http://host:port}), or an
     * {@link IllegalArgumentException}: only http or https, a host, an explicit port, and nothing else (no user
     * info, path, query or fragment), so the service credential goes nowhere but to a query API's root.
     */
    static String queryUrl(String text) {
        if (text == null || text.isEmpty() || text.length() > 300) {
            throw new IllegalArgumentException("a query URL must have 1 to 300 characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("query URL " + excerpt(text) + " is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("query URL " + excerpt(text) + " is not http or https");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("query URL " + excerpt(text) + " has no valid host");
        }
        if (uri.getPort() < 1 || uri.getPort() > 65_535) {
            throw new IllegalArgumentException("query URL " + excerpt(text) + " has no valid port");
        }
        String path = uri.getRawPath();
        if (uri.getRawUserInfo() != null || (path != null && !path.isEmpty() && !path.equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("query URL " + excerpt(text) + " must be only scheme, host and port");
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + uri.getPort();
    }

    private static String excerpt(String text) {
        return "'" + (text.length() > 80 ? text.substring(0, 80) + "…" : text) + "'";
    }

    /** Where an account's read goes now: its owner, unless the table is empty, older than {@code maxAgeNanos}, or has none. */
    Route route(String accountId, long nowNanos, long maxAgeNanos) {
        if (partitions == 0) return new Route(accountId, -1, null, Miss.NO_TABLE);
        int partition = KeyPartitioner.partitionOf(accountId, partitions);
        if (nowNanos - learnedAtNanos > maxAgeNanos) return new Route(accountId, partition, null, Miss.STALE);
        String owner = owners[partition];
        return owner == null ? new Route(accountId, partition, null, Miss.NO_OWNER)
                : new Route(accountId, partition, owner, null);
    }

    /** This table without {@code url} as the owner of {@code partition} (the owner said it is not). */
    OwnerTable withoutOwner(int partition, String url) {
        if (partition < 0 || partition >= partitions || !url.equals(owners[partition])) return this;
        String[] fewer = owners.clone();
        fewer[partition] = null;
        return new OwnerTable(partitions, version, fewer, learnedAtNanos);
    }

    /** This table without {@code url} as the owner of anything (it did not answer). */
    OwnerTable withoutInstance(String url) {
        String[] fewer = owners.clone();
        boolean changed = false;
        for (int p = 0; p < fewer.length; p++) {
            if (url.equals(fewer[p])) {
                fewer[p] = null;
                changed = true;
            }
        }
        return changed ? new OwnerTable(partitions, version, fewer, learnedAtNanos) : this;
    }

    boolean isEmpty() {
        return partitions == 0;
    }

    int partitions() {
        return partitions;
    }

    String version() {
        return version;
    }

    long learnedAtNanos() {
        return learnedAtNanos;
    }

    /** The distinct owners, in partition order of first appearance. */
    List<String> owners() {
        List<String> distinct = new ArrayList<>();
        for (String owner : owners) {
            if (owner != null && !distinct.contains(owner)) distinct.add(owner);
        }
        return distinct;
    }

    /** Partitions nobody holds in this table. */
    int unowned() {
        return (int) Arrays.stream(owners).filter(o -> o == null).count();
    }
}
