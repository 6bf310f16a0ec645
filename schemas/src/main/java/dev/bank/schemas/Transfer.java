package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A transfer as one of its two accounts sees it, kept in the processor's transfers store under
 * (accountId, transferId) and served by the query API. Schema: {@code transfer.schema.json}.
 *
 * @param direction   OUT on the source account, IN on the destination, POSITION on the bank's FX position account
 *                    of a converted currency
 * @param createdAt   epoch millis of the record that created this view of the transfer
 * @param completedAt epoch millis of the record that finished it; null while PENDING
 * @param fx          a transfer between two currencies: what it converted; {@code amountMinor} and {@code currency}
 *                    are this side's
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Transfer(String transferId, Direction direction, String fromAccountId, String toAccountId,
                       long amountMinor, String currency, String reference, TransferStatus status,
                       RejectionReason reason, String detail, long createdAt, Long completedAt, FxConversion fx) {

    public enum Direction { OUT, IN, POSITION }

    /** A transfer in one currency. */
    public Transfer(String transferId, Direction direction, String fromAccountId, String toAccountId,
                    long amountMinor, String currency, String reference, TransferStatus status,
                    RejectionReason reason, String detail, long createdAt, Long completedAt) {
        this(transferId, direction, fromAccountId, toAccountId, amountMinor, currency, reference, status, reason,
                detail, createdAt, completedAt, null);
    }

    /** The account whose transfers store keeps this view: the source, the destination, or the FX position. */
    public String ownerAccountId() {
        return switch (direction) {
            case OUT -> fromAccountId;
            case IN -> toAccountId;
            case POSITION -> FxPositions.accountId(currency);
        };
    }

    /**
     * The id this view is kept under in its owner's store: the transferId, which is unique per source account, so a
     * position account, which sees transfers from every source, prefixes the source ({@code acc-1:t-9}; account ids
     * have no colon).
     */
    public String storeId() {
        return direction == Direction.POSITION ? positionId(fromAccountId, transferId) : transferId;
    }

    /** {@link #storeId()} of the position view of a transfer. */
    public static String positionId(String fromAccountId, String transferId) {
        return fromAccountId + ":" + transferId;
    }

    public Transfer finish(TransferStatus finalStatus, RejectionReason why, String whyDetail, long at) {
        return new Transfer(transferId, direction, fromAccountId, toAccountId, amountMinor, currency, reference,
                finalStatus, why, whyDetail, createdAt, at, fx);
    }
}
