package dev.bank.schemas;

import java.util.List;

/**
 * An account's statement for one calendar month of the business time zone, from the processor's history store.
 * {@code openingBalanceMinor + sum(sign * amountMinor of entries) == closingBalanceMinor} always holds: entries are
 * those whose value timestamp falls in the month, and both balances are taken at the month's boundaries by the
 * same value timestamps (see {@link HistoryEntry}).
 *
 * @param month     {@code yyyy-MM}
 * @param zone      the business time zone the month's boundaries are in
 * @param from      epoch millis of the month's first instant
 * @param to        epoch millis of the next month's first instant (exclusive)
 * @param interestRate the account's current annual rate
 * @param totalCreditsMinor every entry that added money (interest included)
 * @param totalDebitsMinor  every entry that took money out, as a positive number
 * @param interestPaidMinor the INTEREST entries
 * @param interestChargedMinor the INTEREST_CHARGE entries (debit interest on an overdraft), as a positive number
 * @param holds     memo lines, not postings: the account's holds that were active at some time in the month, as they
 *                  stand now (their captures are among the entries)
 */
public record Statement(String accountId, String currency, String month, String zone, long from, long to,
                        String interestRate, long openingBalanceMinor, long closingBalanceMinor,
                        long totalCreditsMinor, long totalDebitsMinor, long interestPaidMinor,
                        long interestChargedMinor, List<HistoryEntry> entries, List<Hold> holds) {
    public Statement {
        entries = List.copyOf(entries);
        holds = List.copyOf(holds);
    }
}
