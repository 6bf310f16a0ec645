package dev.bank.schemas;

import java.util.List;

/**
 * An account's events after a sequence, as the processor's query API serves them
 * ({@code GET /internal/accounts/{accountId}/events?after=N&limit=M}): what a live stream that resumes, or starts,
 * reads before it follows the events topic.
 *
 * @param events    the events with sequence above {@code after}, in order, at most {@code limit}
 * @param firstKept the oldest sequence the processor still keeps (it keeps each account's most recent events only):
 *                  a reader that asked for events after a sequence below {@code firstKept - 1} has missed some
 * @param latest    the account's newest sequence (0: none yet); {@code events} ends before it when the limit cut it
 */
public record AccountEventPage(String accountId, List<AccountEvent> events, long firstKept, long latest) {
}
