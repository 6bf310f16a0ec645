package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The exchange rate a TRANSFER between two currencies is converted at, carried in the command itself: the gateway
 * copies it from the quote the client named, and a trusted system producing directly writes it. The processor
 * converts with exactly this rate and never looks a rate up, so a replay of the command converts identically
 * whatever the rates topic holds by then. Schema: the {@code fx} object of {@code command.schema.json}.
 *
 * @param quoteId    the quote's id (the {@link FxRate#rateId()} it was taken from), for the audit trail
 * @param from       the source account's currency (ISO-4217)
 * @param to         the destination account's currency (ISO-4217)
 * @param rate       units of {@code to} per unit of {@code from}, an exact decimal string ({@code "1.0832"})
 * @param validUntil the last instant the quote may be used, ISO-8601; the processor refuses a command whose record
 *                   time (the broker's) is after it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FxQuote(String quoteId, String from, String to, String rate, String validUntil) {
}
