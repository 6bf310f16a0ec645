package dev.bank.processor.store;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * Avro's generic data model, told that every union of the stores' schemas is an optional value, {@code ["null", T]}
 * ({@code StoreSchemaCompatibilityTest} holds every schema to that): the branch of a value is then whether it is
 * null. Avro's own resolution names the value's type and looks it up in the union, per optional field of every
 * write, which showed in the stream thread's profile (docs/performance.md).
 */
final class OptionalUnions extends GenericData {
    static final OptionalUnions MODEL = new OptionalUnions();

    private OptionalUnions() {}

    @Override
    public int resolveUnion(Schema union, Object datum) {
        if (isOptional(union)) return datum == null ? 0 : 1;
        return super.resolveUnion(union, datum);
    }

    /** {@code ["null", T]}. */
    static boolean isOptional(Schema union) {
        return union.getTypes().size() == 2 && union.getTypes().get(0).getType() == Schema.Type.NULL;
    }
}
