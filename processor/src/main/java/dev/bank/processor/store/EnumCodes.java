package dev.bank.processor.store;

import org.apache.kafka.common.errors.SerializationException;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * The stored code of each constant of an enum: its position in an explicit, append-only list (1, 2, ...; 0 is
 * null). Not the ordinal, which silently changes when someone reorders or inserts a constant in the enum; and not
 * the name, which costs a string per value. A list that misses a constant fails when the codec class loads, so a
 * new constant cannot reach a store without a code.
 */
final class EnumCodes<E extends Enum<E>> {
    private final Class<E> type;
    private final E[] byCode;       // byCode[code - 1]
    private final int[] codeByOrdinal; // the ordinal is only an in-memory index, never stored

    @SafeVarargs
    EnumCodes(Class<E> type, E... inCodeOrder) {
        EnumSet<E> listed = EnumSet.noneOf(type);
        listed.addAll(Arrays.asList(inCodeOrder));
        if (listed.size() != inCodeOrder.length || !listed.equals(EnumSet.allOf(type))) {
            throw new IllegalStateException("store codes of " + type.getSimpleName() + " must list every constant "
                    + "exactly once: " + EnumSet.complementOf(listed) + " missing in " + Arrays.toString(inCodeOrder));
        }
        this.type = type;
        this.byCode = inCodeOrder.clone();
        this.codeByOrdinal = new int[inCodeOrder.length];
        for (int i = 0; i < inCodeOrder.length; i++) codeByOrdinal[inCodeOrder[i].ordinal()] = i + 1;
    }

    void write(BinaryWriter out, E value) {
        out.writeByte(value == null ? 0 : codeByOrdinal[value.ordinal()]);
    }

    E read(BinaryReader in) {
        int code = in.readByte();
        if (code == 0) return null;
        if (code > byCode.length) {
            throw new SerializationException("unknown " + type.getSimpleName() + " code " + code);
        }
        return byCode[code - 1];
    }

    Class<E> type() {
        return type;
    }

    /** The constants' names in code order, for the test that pins the codes. */
    List<String> names() {
        return Arrays.stream(byCode).map(Enum::name).toList();
    }
}
