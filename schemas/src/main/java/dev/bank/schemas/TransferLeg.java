package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One leg of a transfer on the transfer-legs topic, keyed by the account that must act on it: the destination
 * for CREDIT, the source for COMPLETED and REFUND. Schema: {@code transfer-leg.schema.json}.
 *
 * @param reason    why the destination refused a REFUND leg's credit
 * @param principal who asked for the transfer, for the destination's ledger entry
 * @param fx        a transfer between two currencies: what it converts. {@code amountMinor} and {@code currency} stay
 *                  the source's (what a refund gives back), except on an FX_POSITION leg, where they are what the
 *                  position account of that currency takes or gives
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TransferLeg(LegType type, String transferId, String fromAccountId, String toAccountId, long amountMinor,
                          String currency, String reference, RejectionReason reason, String detail,
                          String principal, FxConversion fx) {

    /** A leg without a conversion. */
    public TransferLeg(LegType type, String transferId, String fromAccountId, String toAccountId, long amountMinor,
                       String currency, String reference, RejectionReason reason, String detail, String principal) {
        this(type, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, reason, detail, principal,
                null);
    }

    /** A leg without a principal. */
    public TransferLeg(LegType type, String transferId, String fromAccountId, String toAccountId, long amountMinor,
                       String currency, String reference, RejectionReason reason, String detail) {
        this(type, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, reason, detail, null);
    }

    /** The account whose task applies this leg, which is also its record key. */
    public String targetAccountId() {
        if (type == LegType.FX_POSITION) return FxPositions.accountId(currency);
        return type == LegType.CREDIT ? toAccountId : fromAccountId;
    }

    /**
     * The legs a converted credit sends to the bank's position accounts: the source currency's takes the source
     * amount, the target currency's gives the target amount.
     */
    public java.util.List<TransferLeg> positions() {
        return java.util.List.of(
                new TransferLeg(LegType.FX_POSITION, transferId, fromAccountId, toAccountId, fx.sourceAmountMinor(),
                        fx.sourceCurrency(), reference, null, null, principal, fx),
                new TransferLeg(LegType.FX_POSITION, transferId, fromAccountId, toAccountId, fx.targetAmountMinor(),
                        fx.targetCurrency(), reference, null, null, principal, fx));
    }

    /** For an FX_POSITION leg: whether its position account takes the amount (the source currency) or gives it. */
    public boolean bought() {
        return fx != null && currency.equals(fx.sourceCurrency());
    }

    public TransferLeg answer(LegType answer, RejectionReason why, String whyDetail) {
        return new TransferLeg(answer, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, why,
                whyDetail, principal, fx);
    }

    /** The same leg, carrying who asked for the transfer. */
    public TransferLeg by(String who) {
        return new TransferLeg(type, transferId, fromAccountId, toAccountId, amountMinor, currency, reference, reason,
                detail, who, fx);
    }
}
