package dev.bank.schemas;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One topic of the system with the serdes of its records: keys are accountIds (strings), values one JSON record type.
 * Every producer and consumer of the topic, in any module, takes both from here ({@link Topics}), so a topic's name
 * and what it carries cannot drift apart and no call site builds a serde of its own.
 *
 * @param name       the topic's name, as configured ({@code BANK_TOPIC_*})
 * @param valueSerde the serde of its values
 */
public record Topic<V>(String name, JsonSerde<V> valueSerde) {
    private static final Serde<String> KEYS = Serdes.String();

    /** The serde of its keys: accountIds as UTF-8 strings. */
    public Serde<String> keySerde() {
        return KEYS;
    }

    /** A value as the topic carries it (null stays null). */
    public byte[] serialize(V value) {
        return valueSerde.serialize(name, value);
    }

    /** A value the topic carried; Kafka's {@code SerializationException} when it is not one. */
    public V deserialize(byte[] value) {
        return valueSerde.deserialize(name, value);
    }
}
