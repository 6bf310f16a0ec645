package dev.bank.schemas;

/**
 * Where an account is in its life. OPEN takes every command. FROZEN (an admin's decision) takes credits, incoming
 * transfers and an admin's settings, and refuses what takes money out or reserves it. CLOSED (only when nothing is
 * left in it or in flight) refuses every command and sends incoming transfers back; it can still be read.
 */
public enum AccountStatus {
    OPEN, FROZEN, CLOSED
}
