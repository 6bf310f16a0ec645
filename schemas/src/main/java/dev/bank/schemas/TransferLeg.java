package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One leg of a transfer on the transfer-legs topic, keyed by the account that must act on it: the destination
 * for CREDIT, the source for COMPLETED and REFUND. Schema: {@code transfer-leg.schema.json}.
 *
 * @param reason    why the destination refused a REFUND leg's credit
 * @param principal who asked for the transfer, for the destination's ledger entry
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransferLeg(LegType type, String transferId, String fromAccountId, String toAccountId, long amountMinor,
                          String currency, String reference, RejectionReason reason, String detail,
                          String principal) {

    /** A leg without a principal. */
    public TransferLeg(LegType type, String transferId, String fromAccountId, String toAccountId, long amountMinor,
                       String currency, String reference, RejectionReason reason, String detail) {
        this(type, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, reason, detail, null);
    }

    /** The account whose task applies this leg, which is also its record key. */
    public String targetAccountId() {
        return type == LegType.CREDIT ? toAccountId : fromAccountId;
    }

    public TransferLeg answer(LegType answer, RejectionReason why, String whyDetail) {
        return new TransferLeg(answer, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, why,
                whyDetail, principal);
    }

    /** The same leg, carrying who asked for the transfer. */
    public TransferLeg by(String who) {
        return new TransferLeg(type, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, reason,
                detail, who);
    }
}
