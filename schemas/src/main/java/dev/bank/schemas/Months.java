package dev.bank.schemas;

import java.time.YearMonth;

/**
 * The statement month of a path: {@code yyyy-MM}, a four-digit year and a month from 01 to 12, and nothing else.
 * {@link YearMonth#parse} alone also takes {@code +2026-01}, {@code -2026-01} and {@code 02026-01}, so the same
 * month could be asked for under several names (and far outside any history); the gateway and the processor's
 * query API both read months here, so they agree on which texts are months.
 */
public final class Months {
    public static final String RULE = "must be yyyy-MM with a four-digit year and a month from 01 to 12, e.g. 2025-03";

    private Months() {}

    /** The month a text names, or null when it is not exactly {@code yyyy-MM}. */
    public static YearMonth parse(String text) {
        if (text == null || text.length() != 7 || text.charAt(4) != '-') return null;
        for (int i = 0; i < 7; i++) {
            if (i != 4 && (text.charAt(i) < '0' || text.charAt(i) > '9')) return null;
        }
        int year = Integer.parseInt(text, 0, 4, 10);
        int month = Integer.parseInt(text, 5, 7, 10);
        return month >= 1 && month <= 12 ? YearMonth.of(year, month) : null;
    }
}
