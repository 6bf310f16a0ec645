package dev.bank.processor.store;

import org.apache.avro.Schema;

/**
 * A Java enum as an Avro enum of the stores' schema, by name: the symbols are the constants' names, so the schema may
 * list them in any order and a reordering of the Java constants changes nothing stored.
 */
final class AvroEnum<E extends Enum<E>> {
    private final Class<E> type;
    private final String schemaName;
    /** Each constant's index among the written schema's symbols (by ordinal); -1 when the schema lacks it. */
    private final int[] indexes;

    /** @param written the enum as the schema the stores write has it */
    AvroEnum(Class<E> type, Schema written) {
        if (written.getType() != Schema.Type.ENUM) throw new IllegalArgumentException(written + " is not an enum");
        this.type = type;
        this.schemaName = written.getFullName();
        E[] constants = type.getEnumConstants();
        this.indexes = new int[constants.length];
        for (E constant : constants) {
            indexes[constant.ordinal()] = written.hasEnumSymbol(constant.name())
                    ? written.getEnumOrdinal(constant.name()) : -1;
        }
    }

    /** The index of a constant's symbol in the written schema. */
    int index(E value) {
        int index = indexes[value.ordinal()];
        if (index < 0) {
            throw new IllegalArgumentException(value + " is not a symbol of " + schemaName
                    + " as the stores write it (a new symbol is written from the release after the one that reads it)");
        }
        return index;
    }

    /** The constant of an Avro symbol read from the store; null stays null. */
    E value(Object symbol) {
        return symbol == null ? null : Enum.valueOf(type, symbol.toString());
    }
}
