package dev.bank.gateway.kafka;

import dev.bank.schemas.KeyPartitioner;
import dev.bank.schemas.PartitionOwners;
import dev.bank.schemas.PartitionOwners.Instance;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The owner table: which URL an account's read goes to, and when none (empty, stale, unowned, contested, forgotten). */
class OwnerTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MAX_AGE = 10 * SECOND;
    private static final String A = "http://10.0.0.1:8081";
    private static final String B = "http://10.0.0.2:8081";

    @Property(tries = 500)
    void everyAccountGoesToTheInstanceHoldingItsKeysPartition(@ForAll @StringLength(min = 1, max = 200) String accountId,
                                                             @ForAll @IntRange(min = 1, max = 64) int partitions,
                                                             @ForAll @IntRange(min = 1, max = 5) int instances,
                                                             @ForAll long seed) {
        // a random assignment of every partition to one of the instances
        Random random = new Random(seed);
        List<List<Integer>> active = new ArrayList<>();
        for (int i = 0; i < instances; i++) active.add(new ArrayList<>());
        int[] ownerOf = new int[partitions];
        for (int p = 0; p < partitions; p++) {
            ownerOf[p] = random.nextInt(instances);
            active.get(ownerOf[p]).add(p);
        }
        List<Instance> list = new ArrayList<>();
        for (int i = 0; i < instances; i++) list.add(new Instance("http://proc-" + i + ":8081", active.get(i), List.of()));
        OwnerTable table = OwnerTable.of(new PartitionOwners("bank.commands", partitions, "v", list), 0);

        OwnerTable.Route route = table.route(accountId, SECOND, MAX_AGE);

        int partition = KeyPartitioner.partitionOf(accountId, partitions);
        assertThat(route.partition()).isEqualTo(partition);
        assertThat(route.url()).isEqualTo("http://proc-" + ownerOf[partition] + ":8081");
        assertThat(route.direct()).isTrue();
    }

    @Example
    void noTableYetMeansNoOwner() {
        OwnerTable.Route route = OwnerTable.EMPTY.route("alice", 0, MAX_AGE);
        assertThat(route.direct()).isFalse();
        assertThat(route.miss()).isEqualTo(OwnerTable.Miss.NO_TABLE);
    }

    @Example
    void aTableOlderThanTheMaxAgeIsNotUsed() {
        OwnerTable table = twoInstances(100 * SECOND);
        assertThat(table.route("alice", 100 * SECOND + MAX_AGE, MAX_AGE).direct()).isTrue();
        OwnerTable.Route stale = table.route("alice", 100 * SECOND + MAX_AGE + 1, MAX_AGE);
        assertThat(stale.direct()).isFalse();
        assertThat(stale.miss()).isEqualTo(OwnerTable.Miss.STALE);
    }

    @Example
    void aPartitionWithoutAnActiveOwnerHasNone() {
        // partition 3 is only a standby somewhere: a standby does not answer reads
        OwnerTable table = OwnerTable.of(new PartitionOwners("bank.commands", 4, "v",
                List.of(new Instance(A, List.of(0, 1), List.of(3)), new Instance(B, List.of(2), List.of(0, 1)))), 0);
        String onThree = accountOn(3, 4);
        assertThat(table.route(onThree, 0, MAX_AGE).miss()).isEqualTo(OwnerTable.Miss.NO_OWNER);
        assertThat(table.route(accountOn(2, 4), 0, MAX_AGE).url()).isEqualTo(B);
        assertThat(table.unowned()).isEqualTo(1);
    }

    @Example
    void aPartitionTwoInstancesClaimHasNoOwner() {
        OwnerTable table = OwnerTable.of(new PartitionOwners("bank.commands", 2, "v",
                List.of(new Instance(A, List.of(0, 1), List.of()), new Instance(B, List.of(1), List.of()))), 0);
        assertThat(table.route(accountOn(1, 2), 0, MAX_AGE).miss()).isEqualTo(OwnerTable.Miss.NO_OWNER);
        assertThat(table.route(accountOn(0, 2), 0, MAX_AGE).url()).isEqualTo(A);
    }

    @Example
    void aMoveIsFollowedByTheNextTable() {
        OwnerTable before = twoInstances(0);
        String account = accountOn(1, 4);
        assertThat(before.route(account, 0, MAX_AGE).url()).isEqualTo(B);
        // B left: A holds everything now
        OwnerTable after = OwnerTable.of(new PartitionOwners("bank.commands", 4, "v2",
                List.of(new Instance(A, List.of(0, 1, 2, 3), List.of()))), SECOND);
        assertThat(after.route(account, SECOND, MAX_AGE).url()).isEqualTo(A);
        assertThat(after.version()).isEqualTo("v2");
    }

    @Example
    void aMisdirectedPartitionAndAnUnreachableInstanceAreForgotten() {
        OwnerTable table = twoInstances(0);
        String onOne = accountOn(1, 4);
        String onThree = accountOn(3, 4);
        String onZero = accountOn(0, 4);

        OwnerTable withoutOne = table.withoutOwner(1, B);
        assertThat(withoutOne.route(onOne, 0, MAX_AGE).miss()).isEqualTo(OwnerTable.Miss.NO_OWNER);
        assertThat(withoutOne.route(onThree, 0, MAX_AGE).url()).isEqualTo(B);
        // forgetting an owner the table no longer has changes nothing (a refresh came in between)
        assertThat(table.withoutOwner(1, A)).isSameAs(table);

        OwnerTable withoutB = table.withoutInstance(B);
        assertThat(withoutB.route(onThree, 0, MAX_AGE).miss()).isEqualTo(OwnerTable.Miss.NO_OWNER);
        assertThat(withoutB.route(onZero, 0, MAX_AGE).url()).isEqualTo(A);
        assertThat(withoutB.owners()).containsExactly(A);
        assertThat(withoutB.learnedAtNanos()).isEqualTo(table.learnedAtNanos());
    }

    @Example
    void implausibleAnswersAreRefusedWhole() {
        assertThatThrownBy(() -> OwnerTable.of(new PartitionOwners("t", 0, "v", List.of()), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OwnerTable.of(new PartitionOwners("t", OwnerTable.MAX_PARTITIONS + 1, "v", List.of()), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OwnerTable.of(new PartitionOwners("t", 4, "v",
                List.of(new Instance(A, List.of(4), List.of()))), 0)).hasMessageContaining("partition 4");
        assertThatThrownBy(() -> OwnerTable.of(new PartitionOwners("t", 4, "v",
                List.of(new Instance(A, List.of(-1), List.of()))), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OwnerTable.of(new PartitionOwners("t", 4, "v",
                List.of(new Instance("file:///etc/passwd", List.of(0), List.of()))), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void queryUrlsAreSchemeHostAndPortOnly() {
        assertThat(OwnerTable.queryUrl("http://127.0.0.1:8081")).isEqualTo("http://127.0.0.1:8081");
        assertThat(OwnerTable.queryUrl("HTTPS://Proc-1.bank.svc:443/")).isEqualTo("https://proc-1.bank.svc:443");
        assertThat(OwnerTable.queryUrl("http://[::1]:8081")).isEqualTo("http://[::1]:8081");
        for (String bad : List.of("", "127.0.0.1:8081", "ftp://a:21", "http://a", "http://:8081", "http://a:0",
                "http://a:65536", "http://user:pw@a:8081", "http://a:8081/internal", "http://a:8081?x=1",
                "http://a:8081#f", "http://a b:8081", "javascript:alert(1)", "http://a:8081/..", "x".repeat(301),
                "http://under_score:8081")) {
            assertThatThrownBy(() -> OwnerTable.queryUrl(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 2_000)
    void noStringBecomesAUrlWithMoreThanSchemeHostAndPort(@ForAll("urlish") String text) {
        try {
            String url = OwnerTable.queryUrl(text);
            assertThat(url).matches("https?://[a-z0-9.\\-\\[\\]:]+:[0-9]{1,5}");
        } catch (IllegalArgumentException refused) {
            // refused is always fine
        }
    }

    @Provide
    Arbitrary<String> urlish() {
        Arbitrary<String> parts = Arbitraries.of("http://", "https://", "HTTP://", "ftp://", "a", "b.c", "-", ":",
                "8081", "0", "99999", "/", "?", "#", "@", "[", "]", "::1", "%20", "..", " ", "\u00e9", "\n", "_");
        return parts.list().ofMaxSize(10).map(l -> String.join("", l));
    }

    private static OwnerTable twoInstances(long nowNanos) {
        return OwnerTable.of(new PartitionOwners("bank.commands", 4, "v1",
                List.of(new Instance(A, List.of(0, 2), List.of(1, 3)), new Instance(B, List.of(1, 3), List.of(0, 2)))),
                nowNanos);
    }

    /** Some account id on {@code partition}. */
    static String accountOn(int partition, int partitions) {
        for (int i = 0; ; i++) {
            String id = "acc-" + i;
            if (KeyPartitioner.partitionOf(id, partitions) == partition) return id;
        }
    }
}
