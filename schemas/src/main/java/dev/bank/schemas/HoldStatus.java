package dev.bank.schemas;

/**
 * Where a hold stands. ACTIVE reserves what is left of it; it ends CAPTURED (all of it taken, in one capture or
 * several), VOIDED (what was left released on request) or EXPIRED (released by the processor at its expiry).
 */
public enum HoldStatus {
    ACTIVE, CAPTURED, VOIDED, EXPIRED
}
