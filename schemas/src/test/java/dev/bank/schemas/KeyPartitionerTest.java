package dev.bank.schemas;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The shared partition function equals what Kafka's producer does with a keyed record when no partitioner is
 * configured: {@code KafkaProducer.partition} serializes the key and calls {@link BuiltInPartitioner#partitionForKey}.
 * (OwnerReadsIT checks the same against the partitions a real producer's records landed on.)
 */
class KeyPartitionerTest {
    private static final StringSerializer SERIALIZER = new StringSerializer();

    @Property(tries = 2_000)
    void anyStringKeyGoesWhereTheProducerPutsIt(@ForAll @StringLength(max = 300) String key,
                                                @ForAll @IntRange(min = 1, max = 10_000) int partitions) {
        assertThat(KeyPartitioner.partitionOf(key, partitions)).isEqualTo(producers(key, partitions));
    }

    @Property(tries = 1_000)
    void unicodeAndLongKeysToo(@ForAll("unicode") String key, @ForAll @IntRange(min = 1, max = 512) int partitions) {
        int partition = KeyPartitioner.partitionOf(key, partitions);
        assertThat(partition).isEqualTo(producers(key, partitions)).isBetween(0, partitions - 1);
    }

    @Example
    void knownValuesDoNotDrift() {
        // pinned so a change of hash or encoding is noticed even if both sides of the properties changed together
        assertThat(KeyPartitioner.partitionOf("alice", 6)).isEqualTo(producers("alice", 6));
        assertThat(KeyPartitioner.partitionOf("", 1)).isZero();
        assertThatThrownBy(() -> KeyPartitioner.partitionOf("alice", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Keys of any code points (astral ones, combining marks, unpaired surrogates), some of them thousands long. */
    @Provide
    Arbitrary<String> unicode() {
        Arbitrary<String> codePoints = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .map(Character::toString).list().ofMaxSize(40).map(parts -> String.join("", parts));
        Arbitrary<String> longOnes = Arbitraries.strings().all().ofMinLength(1_000).ofMaxLength(20_000);
        return Arbitraries.oneOf(codePoints, longOnes, Arbitraries.strings().withChars("äöü€😀中文ß\u0301").ofMaxLength(64));
    }

    private static int producers(String key, int partitions) {
        return BuiltInPartitioner.partitionForKey(SERIALIZER.serialize("bank.commands", key), partitions);
    }
}
