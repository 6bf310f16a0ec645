package dev.bank.schemas;

import java.util.List;

/**
 * Which processor instance holds which partition, as the processors' query API serves it
 * ({@code GET /internal/partitions}), from Kafka Streams' metadata: what a gateway needs to send an account's read
 * straight to the instance that owns the account's partition ({@link KeyPartitioner}) instead of to any instance,
 * which would forward it.
 *
 * @param topic      the input topic whose partitions these are (the commands topic; its key is the accountId)
 * @param partitions how many partitions it has: the modulus of {@link KeyPartitioner#partitionOf(String, int)}
 * @param version    changes whenever the assignment does (a digest of it: the same assignment has the same version on
 *                   every instance asked)
 * @param instances  every instance in the group, by query URL
 */
public record PartitionOwners(String topic, int partitions, String version, List<Instance> instances) {
    public PartitionOwners {
        instances = instances == null ? List.of() : List.copyOf(instances);
    }

    /**
     * One processor instance.
     *
     * @param url     its query API, {@code http://} and its {@code application.server}
     * @param active  the partitions whose tasks it runs (it answers their reads), ascending
     * @param standby the partitions it keeps a standby copy of, ascending; for information only (a standby does not
     *                answer reads)
     */
    public record Instance(String url, List<Integer> active, List<Integer> standby) {
        public Instance {
            active = active == null ? List.of() : List.copyOf(active);
            standby = standby == null ? List.of() : List.copyOf(standby);
        }
    }
}
