package dev.bank.processor.store;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferStatus;

import java.util.List;

/**
 * The serdes of the processor's four state stores, written by hand because Jackson was about a quarter of a stream
 * thread's CPU (every get decodes, every put encodes and goes to a changelog). Internal to the processor: the
 * public topics stay JSON.
 *
 * <p>Layout of {@link StoreSerde#BINARY_V2}: the record components in declaration order, each as
 * {@link BinaryWriter} writes it (long: zig-zag varint; Long: presence byte + varint; String: varint(length + 1) +
 * UTF-8, 0 = null; boolean: a byte; enum: its code byte from {@link EnumCodes}, 0 = null; nested record: presence
 * byte + its components). Decimal amounts and rates are records' strings, stored as written, so
 * {@code "10.00"} stays {@code "10.00"}. Readers rely on Java evaluating constructor arguments left to right.
 * {@link StoreSerde#BINARY_V1}, still read, is the same without the components ownership added (Account's owner,
 * Command's principal, admin and owner, Outcome's and LedgerEntry's principal), which read as null.
 *
 * <p>Each {@code *_COMPONENTS} list names what its writer and reader handle, in order; {@code StoreSerdesTest} fails
 * when a record's components no longer match it. Changing a layout means a new format byte, not an edit here.
 */
public final class StoreSerdes {
    // Explicit append-only code tables (not ordinals, which move when constants are reordered): add at the end.
    private static final EnumCodes<AccountStatus> ACCOUNT_STATUS = new EnumCodes<>(AccountStatus.class,
            AccountStatus.OPEN, AccountStatus.CLOSED);
    private static final EnumCodes<CommandType> COMMAND_TYPE = new EnumCodes<>(CommandType.class,
            CommandType.OPEN_ACCOUNT, CommandType.CREDIT, CommandType.DEBIT, CommandType.TRANSFER,
            CommandType.SET_INTEREST_RATE);
    private static final EnumCodes<OutcomeStatus> OUTCOME_STATUS = new EnumCodes<>(OutcomeStatus.class,
            OutcomeStatus.ACCEPTED, OutcomeStatus.REJECTED, OutcomeStatus.PENDING);
    private static final EnumCodes<RejectionReason> REJECTION_REASON = new EnumCodes<>(RejectionReason.class,
            RejectionReason.INVALID_AMOUNT, RejectionReason.INVALID_COMMAND, RejectionReason.INSUFFICIENT_FUNDS,
            RejectionReason.ACCOUNT_NOT_FOUND, RejectionReason.CURRENCY_MISMATCH, RejectionReason.DUPLICATE_ACCOUNT,
            RejectionReason.ACCOUNT_CLOSED, RejectionReason.LIMIT_EXCEEDED, RejectionReason.IDEMPOTENCY_CONFLICT);
    private static final EnumCodes<TransferStatus> TRANSFER_STATUS = new EnumCodes<>(TransferStatus.class,
            TransferStatus.PENDING, TransferStatus.COMPLETED, TransferStatus.REFUNDED, TransferStatus.REJECTED);
    private static final EnumCodes<Transfer.Direction> DIRECTION = new EnumCodes<>(Transfer.Direction.class,
            Transfer.Direction.OUT, Transfer.Direction.IN);
    private static final EnumCodes<EntryType> ENTRY_TYPE = new EnumCodes<>(EntryType.class,
            EntryType.OPENING_DEPOSIT, EntryType.CREDIT, EntryType.DEBIT, EntryType.TRANSFER_OUT,
            EntryType.TRANSFER_IN, EntryType.TRANSFER_REFUND, EntryType.INTEREST);

    static final List<String> ACCOUNT_COMPONENTS = List.of("accountId", "currency", "status", "balanceMinor",
            "sequence", "openedAt", "interestRate", "accruedInterest", "lastAccruedDate", "owner");
    static final List<String> COMMAND_COMPONENTS = List.of("type", "transactionId", "accountId", "amount",
            "currency", "toAccountId", "reference", "interestRate", "principal", "admin", "owner");
    static final List<String> OUTCOME_COMPONENTS = List.of("transactionId", "accountId", "type", "status", "reason",
            "detail", "amountMinor", "balanceMinor", "currency", "sequence", "replayed", "timestamp", "toAccountId",
            "transferStatus", "interestRate", "principal");
    static final List<String> PROCESSED_COMMAND_COMPONENTS = List.of("command", "outcome");
    static final List<String> TRANSFER_COMPONENTS = List.of("transferId", "direction", "fromAccountId",
            "toAccountId", "amountMinor", "currency", "reference", "status", "reason", "detail", "createdAt",
            "completedAt");
    static final List<String> LEDGER_ENTRY_COMPONENTS = List.of("accountId", "transactionId", "type", "amountMinor",
            "currency", "balanceBeforeMinor", "balanceAfterMinor", "sequence", "timestamp", "transferId",
            "counterpartyAccountId", "reference", "principal");
    static final List<String> HISTORY_ENTRY_COMPONENTS = List.of("entry", "valueTimestamp");

    private static final StoreSerde<Account> ACCOUNTS =
            new StoreSerde<>(Account.class, StoreSerdes::writeAccount, StoreSerdes::readAccount);
    private static final StoreSerde<ProcessedCommand> PROCESSED_COMMANDS = new StoreSerde<>(ProcessedCommand.class,
            StoreSerdes::writeProcessedCommand, StoreSerdes::readProcessedCommand);
    private static final StoreSerde<Transfer> TRANSFERS =
            new StoreSerde<>(Transfer.class, StoreSerdes::writeTransfer, StoreSerdes::readTransfer);
    private static final StoreSerde<HistoryEntry> HISTORY =
            new StoreSerde<>(HistoryEntry.class, StoreSerdes::writeHistoryEntry, StoreSerdes::readHistoryEntry);

    private StoreSerdes() {}

    public static StoreSerde<Account> accounts() {
        return ACCOUNTS;
    }

    public static StoreSerde<ProcessedCommand> processedCommands() {
        return PROCESSED_COMMANDS;
    }

    public static StoreSerde<Transfer> transfers() {
        return TRANSFERS;
    }

    public static StoreSerde<HistoryEntry> history() {
        return HISTORY;
    }

    // ---- Account ----

    static void writeAccount(BinaryWriter out, Account a) {
        out.writeString(a.accountId());
        out.writeString(a.currency());
        ACCOUNT_STATUS.write(out, a.status());
        out.writeLong(a.balanceMinor());
        out.writeLong(a.sequence());
        out.writeLong(a.openedAt());
        out.writeString(a.interestRate());
        out.writeString(a.accruedInterest());
        out.writeString(a.lastAccruedDate());
        out.writeString(a.owner());
    }

    static Account readAccount(BinaryReader in, int version) {
        return new Account(in.readString(), in.readString(), ACCOUNT_STATUS.read(in), in.readLong(), in.readLong(),
                in.readLong(), in.readString(), in.readString(), in.readString(), since(2, version, in));
    }

    /** A string component that {@code version} onwards have: read it, or null for older layouts. */
    private static String since(int first, int version, BinaryReader in) {
        return version >= first ? in.readString() : null;
    }

    // ---- ProcessedCommand = Command + Outcome ----

    static void writeProcessedCommand(BinaryWriter out, ProcessedCommand p) {
        out.writeBoolean(p.command() != null);
        if (p.command() != null) writeCommand(out, p.command());
        out.writeBoolean(p.outcome() != null);
        if (p.outcome() != null) writeOutcome(out, p.outcome());
    }

    static ProcessedCommand readProcessedCommand(BinaryReader in, int version) {
        Command command = in.readBoolean() ? readCommand(in, version) : null;
        Outcome outcome = in.readBoolean() ? readOutcome(in, version) : null;
        return new ProcessedCommand(command, outcome);
    }

    static void writeCommand(BinaryWriter out, Command c) {
        COMMAND_TYPE.write(out, c.type());
        out.writeString(c.transactionId());
        out.writeString(c.accountId());
        out.writeString(c.amount());
        out.writeString(c.currency());
        out.writeString(c.toAccountId());
        out.writeString(c.reference());
        out.writeString(c.interestRate());
        out.writeString(c.principal());
        out.writeBoolean(c.asAdmin());
        out.writeString(c.owner());
    }

    static Command readCommand(BinaryReader in, int version) {
        return new Command(COMMAND_TYPE.read(in), in.readString(), in.readString(), in.readString(), in.readString(),
                in.readString(), in.readString(), in.readString(), since(2, version, in),
                version >= 2 && in.readBoolean() ? Boolean.TRUE : null, since(2, version, in));
    }

    static void writeOutcome(BinaryWriter out, Outcome o) {
        out.writeString(o.transactionId());
        out.writeString(o.accountId());
        COMMAND_TYPE.write(out, o.type());
        OUTCOME_STATUS.write(out, o.status());
        REJECTION_REASON.write(out, o.reason());
        out.writeString(o.detail());
        out.writeNullableLong(o.amountMinor());
        out.writeNullableLong(o.balanceMinor());
        out.writeString(o.currency());
        out.writeLong(o.sequence());
        out.writeBoolean(o.replayed());
        out.writeLong(o.timestamp());
        out.writeString(o.toAccountId());
        TRANSFER_STATUS.write(out, o.transferStatus());
        out.writeString(o.interestRate());
        out.writeString(o.principal());
    }

    static Outcome readOutcome(BinaryReader in, int version) {
        return new Outcome(in.readString(), in.readString(), COMMAND_TYPE.read(in), OUTCOME_STATUS.read(in),
                REJECTION_REASON.read(in), in.readString(), in.readNullableLong(), in.readNullableLong(),
                in.readString(), in.readLong(), in.readBoolean(), in.readLong(), in.readString(),
                TRANSFER_STATUS.read(in), in.readString(), since(2, version, in));
    }

    // ---- Transfer ----

    static void writeTransfer(BinaryWriter out, Transfer t) {
        out.writeString(t.transferId());
        DIRECTION.write(out, t.direction());
        out.writeString(t.fromAccountId());
        out.writeString(t.toAccountId());
        out.writeLong(t.amountMinor());
        out.writeString(t.currency());
        out.writeString(t.reference());
        TRANSFER_STATUS.write(out, t.status());
        REJECTION_REASON.write(out, t.reason());
        out.writeString(t.detail());
        out.writeLong(t.createdAt());
        out.writeNullableLong(t.completedAt());
    }

    static Transfer readTransfer(BinaryReader in, int version) {
        return new Transfer(in.readString(), DIRECTION.read(in), in.readString(), in.readString(), in.readLong(),
                in.readString(), in.readString(), TRANSFER_STATUS.read(in), REJECTION_REASON.read(in), in.readString(),
                in.readLong(), in.readNullableLong());
    }

    // ---- HistoryEntry = LedgerEntry + value timestamp ----

    static void writeHistoryEntry(BinaryWriter out, HistoryEntry h) {
        out.writeBoolean(h.entry() != null);
        if (h.entry() != null) writeLedgerEntry(out, h.entry());
        out.writeLong(h.valueTimestamp());
    }

    static HistoryEntry readHistoryEntry(BinaryReader in, int version) {
        LedgerEntry entry = in.readBoolean() ? readLedgerEntry(in, version) : null;
        return new HistoryEntry(entry, in.readLong());
    }

    static void writeLedgerEntry(BinaryWriter out, LedgerEntry e) {
        out.writeString(e.accountId());
        out.writeString(e.transactionId());
        ENTRY_TYPE.write(out, e.type());
        out.writeLong(e.amountMinor());
        out.writeString(e.currency());
        out.writeLong(e.balanceBeforeMinor());
        out.writeLong(e.balanceAfterMinor());
        out.writeLong(e.sequence());
        out.writeLong(e.timestamp());
        out.writeString(e.transferId());
        out.writeString(e.counterpartyAccountId());
        out.writeString(e.reference());
        out.writeString(e.principal());
    }

    static LedgerEntry readLedgerEntry(BinaryReader in, int version) {
        return new LedgerEntry(in.readString(), in.readString(), ENTRY_TYPE.read(in), in.readLong(), in.readString(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readString(), in.readString(),
                in.readString(), since(2, version, in));
    }

    /** Every enum code table, for the test that pins the codes. */
    static List<EnumCodes<?>> enumCodes() {
        return List.of(ACCOUNT_STATUS, COMMAND_TYPE, OUTCOME_STATUS, REJECTION_REASON, TRANSFER_STATUS, DIRECTION,
                ENTRY_TYPE);
    }
}
