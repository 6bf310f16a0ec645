package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A transfer as one of its two accounts sees it, kept in the processor's transfers store under
 * (accountId, transferId) and served by the query API. Schema: {@code transfer.schema.json}.
 *
 * @param direction   OUT on the source account, IN on the destination
 * @param createdAt   epoch millis of the record that created this view of the transfer
 * @param completedAt epoch millis of the record that finished it; null while PENDING
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Transfer(String transferId, Direction direction, String fromAccountId, String toAccountId,
                       long amountMinor, String currency, String reference, TransferStatus status,
                       RejectionReason reason, String detail, long createdAt, Long completedAt) {

    public enum Direction { OUT, IN }

    public Transfer finish(TransferStatus finalStatus, RejectionReason why, String whyDetail, long at) {
        return new Transfer(transferId, direction, fromAccountId, toAccountId, amountMinor, currency, reference,
                finalStatus, why, whyDetail, createdAt, at);
    }
}
