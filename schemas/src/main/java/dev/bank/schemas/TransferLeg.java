package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One leg of a transfer on the transfer-legs topic, keyed by the account that must act on it: the destination
 * for CREDIT, the source for COMPLETED and REFUND. Schema: {@code transfer-leg.schema.json}.
 *
 * @param reason why the destination refused a REFUND leg's credit
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransferLeg(LegType type, String transferId, String fromAccountId, String toAccountId, long amountMinor,
                          String currency, String reference, RejectionReason reason, String detail) {

    /** The account whose task applies this leg, which is also its record key. */
    public String targetAccountId() {
        return type == LegType.CREDIT ? toAccountId : fromAccountId;
    }

    public TransferLeg answer(LegType answer, RejectionReason why, String whyDetail) {
        return new TransferLeg(answer, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, why,
                whyDetail);
    }
}
