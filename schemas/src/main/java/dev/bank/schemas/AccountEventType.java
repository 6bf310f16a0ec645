package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

/**
 * What an {@link AccountEvent} tells. The wire name ({@link #wireName()}) is what the events topic, the live stream's
 * {@code event:} field and a webhook's {@code type} all carry, and what a webhook subscription filters on.
 */
public enum AccountEventType {
    /** A posting: an entry on the ledger (credit, debit, transfer leg, interest, a hold's capture, ...). */
    POSTING_CREATED("posting.created"),
    /** A hold reserved money (a card authorisation, or a payment held for a fraud review). */
    HOLD_PLACED("hold.placed"),
    /** Part or all of a hold was captured; the capture's posting is the event before it. */
    HOLD_CAPTURED("hold.captured"),
    /** What was left of a hold was released by a void (or by the end of a fraud review). */
    HOLD_VOIDED("hold.voided"),
    /** What was left of a hold was released at its expiry. */
    HOLD_EXPIRED("hold.expired"),
    /** A month ended and its interest is posted: the month's statement is complete and can be fetched. */
    STATEMENT_READY("statement.ready");

    private final String wireName;

    AccountEventType(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The type a wire name names; an unknown name is an {@link IllegalArgumentException}. */
    @JsonCreator
    public static AccountEventType fromWire(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown event type " + name));
    }

    /** The hold change a {@link HoldEvent} reports. */
    public static AccountEventType of(HoldEvent.Type change) {
        return switch (change) {
            case PLACED -> HOLD_PLACED;
            case CAPTURED -> HOLD_CAPTURED;
            case VOIDED -> HOLD_VOIDED;
            case EXPIRED -> HOLD_EXPIRED;
        };
    }
}
