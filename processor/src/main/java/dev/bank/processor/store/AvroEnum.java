package dev.bank.processor.store;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/**
 * A Java enum as an Avro enum of the stores' schema, by name: the symbols are the constants' names, so the schema
 * may list them in any order and a reordering of the Java constants changes nothing stored. Built once per type;
 * it refuses at class initialisation a Java constant the schema lacks (adding one means a new schema version).
 */
final class AvroEnum<E extends Enum<E>> {
    private final Class<E> type;
    private final GenericData.EnumSymbol[] symbols;

    AvroEnum(Class<E> type, Schema schema) {
        if (schema.getType() != Schema.Type.ENUM) throw new IllegalArgumentException(schema + " is not an enum");
        this.type = type;
        E[] constants = type.getEnumConstants();
        this.symbols = new GenericData.EnumSymbol[constants.length];
        for (E constant : constants) {
            if (!schema.hasEnumSymbol(constant.name())) {
                throw new IllegalStateException(type.getName() + "." + constant.name() + " is not a symbol of "
                        + schema.getFullName() + ": add it in a new store schema version");
            }
            symbols[constant.ordinal()] = new GenericData.EnumSymbol(schema, constant.name());
        }
    }

    /** The Avro symbol of a constant; null stays null. */
    Object symbol(E value) {
        return value == null ? null : symbols[value.ordinal()];
    }

    /** The constant of an Avro symbol read from the store; null stays null. */
    E value(Object symbol) {
        return symbol == null ? null : Enum.valueOf(type, symbol.toString());
    }
}
