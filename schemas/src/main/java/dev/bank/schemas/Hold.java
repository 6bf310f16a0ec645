package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A hold on an account: funds reserved (an authorization), to be captured in full or in part, voided, or released
 * at its expiry. Kept in the processor's holds store under (accountId, holdId) and served by the query API. Schema:
 * {@code hold.schema.json}.
 *
 * @param holdId        the PLACE_HOLD command's transactionId
 * @param amountMinor   what was reserved
 * @param capturedMinor what has been captured from it so far (each capture a posting)
 * @param expiresAt     epoch millis from which the processor releases what is left; null: it never expires
 * @param createdAt     epoch millis of the PLACE_HOLD record
 * @param closedAt      epoch millis of the record that ended it (last capture, void or expiry); null while ACTIVE
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hold(String holdId, String accountId, long amountMinor, long capturedMinor, String currency,
                   String reference, HoldStatus status, Long expiresAt, long createdAt, Long closedAt) {

    /** What the hold still reserves: zero once it has ended. */
    @JsonIgnore
    public long remainingMinor() {
        return status == HoldStatus.ACTIVE ? amountMinor - capturedMinor : 0;
    }

    /** Whether it is active and its expiry has come by {@code at}. */
    @JsonIgnore
    public boolean expiredBy(long at) {
        return status == HoldStatus.ACTIVE && expiresAt != null && expiresAt <= at;
    }

    /** The hold after {@code amount} more was captured at {@code at}: CAPTURED once nothing is left. */
    public Hold captured(long amount, long at) {
        long captured = Math.addExact(capturedMinor, amount);
        boolean all = captured == amountMinor;
        return new Hold(holdId, accountId, amountMinor, captured, currency, reference,
                all ? HoldStatus.CAPTURED : HoldStatus.ACTIVE, expiresAt, createdAt, all ? Long.valueOf(at) : null);
    }

    /** The hold ended at {@code at} (VOIDED or EXPIRED), what was left released. */
    public Hold ended(HoldStatus how, long at) {
        return new Hold(holdId, accountId, amountMinor, capturedMinor, currency, reference, how, expiresAt, createdAt,
                at);
    }
}
