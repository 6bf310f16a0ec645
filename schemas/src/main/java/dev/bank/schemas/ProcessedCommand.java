package dev.bank.schemas;

/**
 * What the processor remembers of a processed transactionId, so that a retry is answered with the first
 * outcome and a different request under the same id is recognised as a conflict.
 */
public record ProcessedCommand(Command command, Outcome outcome) {
}
