package dev.bank.schemas;

/**
 * An account as the processor's accounts store holds it and its query API serves it. Schema:
 * {@code account.schema.json}.
 *
 * @param sequence number of postings so far (the last ledger entry's sequence)
 * @param openedAt epoch millis of the opening command record
 */
public record Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                      long openedAt) {

    public Account withPosting(long newBalanceMinor) {
        return new Account(accountId, currency, status, newBalanceMinor, sequence + 1, openedAt);
    }
}
