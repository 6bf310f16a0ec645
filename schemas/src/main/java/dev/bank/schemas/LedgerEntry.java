package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One immutable posting on the ledger topic, keyed by accountId. Schema: {@code ledger-entry.schema.json}.
 * Replaying an account's entries in sequence order reproduces its balance:
 * {@code balanceAfterMinor = balanceBeforeMinor + sign(type) * amountMinor}.
 *
 * @param sequence  1, 2, 3, ... per account, without gaps
 * @param timestamp epoch millis of the record that caused the posting
 * @param transferId the transfer both legs of which carry it, so statements and audits can pair them
 * @param counterpartyAccountId the other account of a transfer
 * @param principal who asked for the posting (the command's principal); null for the processor's own postings
 *                  (interest) and commands of trusted systems that name none
 * @param fx        a transfer between two currencies (and the FX position postings it caused): both amounts, both
 *                  currencies and the rate; this entry's own amount and currency are its account's side
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LedgerEntry(String accountId, String transactionId, EntryType type, long amountMinor, String currency,
                          long balanceBeforeMinor, long balanceAfterMinor, long sequence, long timestamp,
                          String transferId, String counterpartyAccountId, String reference, String principal,
                          FxConversion fx) {

    /** A posting without a conversion. */
    public LedgerEntry(String accountId, String transactionId, EntryType type, long amountMinor, String currency,
                       long balanceBeforeMinor, long balanceAfterMinor, long sequence, long timestamp,
                       String transferId, String counterpartyAccountId, String reference, String principal) {
        this(accountId, transactionId, type, amountMinor, currency, balanceBeforeMinor, balanceAfterMinor, sequence,
                timestamp, transferId, counterpartyAccountId, reference, principal, null);
    }

    /** A posting without a principal. */
    public LedgerEntry(String accountId, String transactionId, EntryType type, long amountMinor, String currency,
                       long balanceBeforeMinor, long balanceAfterMinor, long sequence, long timestamp,
                       String transferId, String counterpartyAccountId, String reference) {
        this(accountId, transactionId, type, amountMinor, currency, balanceBeforeMinor, balanceAfterMinor, sequence,
                timestamp, transferId, counterpartyAccountId, reference, null);
    }

    /** A posting that is not part of a transfer. */
    public LedgerEntry(String accountId, String transactionId, EntryType type, long amountMinor, String currency,
                       long balanceBeforeMinor, long balanceAfterMinor, long sequence, long timestamp) {
        this(accountId, transactionId, type, amountMinor, currency, balanceBeforeMinor, balanceAfterMinor, sequence,
                timestamp, null, null, null, null);
    }

    /** The same posting, recording the conversion it was part of. */
    public LedgerEntry converting(FxConversion conversion) {
        return new LedgerEntry(accountId, transactionId, type, amountMinor, currency, balanceBeforeMinor,
                balanceAfterMinor, sequence, timestamp, transferId, counterpartyAccountId, reference, principal,
                conversion);
    }

    /** The same posting, recorded as asked for by {@code who}. */
    public LedgerEntry by(String who) {
        return new LedgerEntry(accountId, transactionId, type, amountMinor, currency, balanceBeforeMinor,
                balanceAfterMinor, sequence, timestamp, transferId, counterpartyAccountId, reference, who, fx);
    }
}
