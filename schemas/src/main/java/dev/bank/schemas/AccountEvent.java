package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One thing that happened to an account, on the account events topic keyed by accountId, in the order it happened:
 * the one stream the live event stream ({@code GET /accounts/{id}/events}) and the webhook notifier deliver from.
 * Schema: {@code account-event.schema.json}.
 *
 * <p>The processor writes it in the same Kafka transaction as the posting or hold change it reports, so an event is
 * published exactly when its cause is committed, and a replay writes the same events with the same sequences.
 *
 * @param sequence       1, 2, 3, ... per account, without gaps, over every kind of event (unlike the ledger's own
 *                       sequence, which counts postings only): the id a subscriber resumes from
 * @param timestamp      epoch millis of the record that caused it
 * @param balanceMinor   the account's balance after the event
 * @param availableMinor what the account can spend after the event (balance, less holds, plus the overdraft limit)
 * @param heldMinor      the sum of its active holds after the event
 * @param owner          the account's owner (who may read its events); null for an account without one
 * @param posting        the ledger entry, for {@link AccountEventType#POSTING_CREATED}
 * @param hold           the hold change, for the {@code hold.*} types
 * @param statementMonth the month ({@code yyyy-MM}) whose statement is ready, for
 *                       {@link AccountEventType#STATEMENT_READY}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AccountEvent(String accountId, long sequence, AccountEventType type, long timestamp, String currency,
                           long balanceMinor, long availableMinor, long heldMinor, String owner, LedgerEntry posting,
                           HoldEvent hold, String statementMonth) {

    /** The event's id wherever it leaves the bank (the stream's {@code id:}, a webhook's {@code webhook-id}). */
    public String eventId() {
        return id(accountId, sequence);
    }

    /** {@code <accountId>:<sequence>}: unique across the bank, and the same every time the event is delivered. */
    public static String id(String accountId, long sequence) {
        return accountId + ":" + sequence;
    }
}
