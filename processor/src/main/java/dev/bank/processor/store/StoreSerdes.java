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
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

import java.time.LocalDate;

/**
 * The serdes of the processor's four state stores, in Avro ({@link StoreSerde}, schemas in {@link StoreSchemas}).
 * Internal to the processor: the public topics stay JSON.
 *
 * <p>Each stored record maps field by field to the record of the same name: written in the order of the schema the
 * stores write, read by name from the newest (Avro resolves the two). What a component is called in Java is what its field is
 * called in Avro, and {@code StoreSchemaCompatibilityTest} holds the two to each other. Decimal amounts and rates are stored as the exact strings the records hold ({@code "10.00"}
 * stays {@code "10.00"}); a date is an Avro {@code date} (days since 1970-01-01).
 */
public final class StoreSerdes {
    private static final Schema ACCOUNT = StoreSchemas.written("Account");
    private static final Schema COMMAND = StoreSchemas.written("Command");
    private static final Schema OUTCOME = StoreSchemas.written("Outcome");
    private static final Schema PROCESSED_COMMAND = StoreSchemas.written("ProcessedCommand");
    private static final Schema TRANSFER = StoreSchemas.written("Transfer");
    private static final Schema LEDGER_ENTRY = StoreSchemas.written("LedgerEntry");
    private static final Schema HISTORY_ENTRY = StoreSchemas.written("HistoryEntry");

    private static final AvroEnum<AccountStatus> ACCOUNT_STATUS = new AvroEnum<>(AccountStatus.class,
            StoreSchemas.latest("AccountStatus"));
    private static final AvroEnum<CommandType> COMMAND_TYPE = new AvroEnum<>(CommandType.class,
            StoreSchemas.latest("CommandType"));
    private static final AvroEnum<OutcomeStatus> OUTCOME_STATUS = new AvroEnum<>(OutcomeStatus.class,
            StoreSchemas.latest("OutcomeStatus"));
    private static final AvroEnum<RejectionReason> REJECTION_REASON = new AvroEnum<>(RejectionReason.class,
            StoreSchemas.latest("RejectionReason"));
    private static final AvroEnum<TransferStatus> TRANSFER_STATUS = new AvroEnum<>(TransferStatus.class,
            StoreSchemas.latest("TransferStatus"));
    private static final AvroEnum<Transfer.Direction> DIRECTION = new AvroEnum<>(Transfer.Direction.class,
            StoreSchemas.latest("TransferDirection"));
    private static final AvroEnum<EntryType> ENTRY_TYPE = new AvroEnum<>(EntryType.class,
            StoreSchemas.latest("EntryType"));

    private static final StoreSerde<Account> ACCOUNTS =
            new StoreSerde<>("Account", StoreSerdes::account, StoreSerdes::account);
    private static final StoreSerde<ProcessedCommand> PROCESSED_COMMANDS =
            new StoreSerde<>("ProcessedCommand", StoreSerdes::processedCommand, StoreSerdes::processedCommand);
    private static final StoreSerde<Transfer> TRANSFERS =
            new StoreSerde<>("Transfer", StoreSerdes::transfer, StoreSerdes::transfer);
    private static final StoreSerde<HistoryEntry> HISTORY =
            new StoreSerde<>("HistoryEntry", StoreSerdes::historyEntry, StoreSerdes::historyEntry);

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

    static GenericRecord account(Account a) {
        // in the written schema's field order: accountId, currency, status, balanceMinor, sequence, openedAt,
        // interestRate, accruedInterest, lastAccruedDate, owner
        return record(ACCOUNT, a.accountId(), a.currency(), ACCOUNT_STATUS.symbol(a.status()), a.balanceMinor(),
                a.sequence(), a.openedAt(), a.interestRate(), a.accruedInterest(),
                a.lastAccruedDate() == null ? null : Math.toIntExact(a.lastAccruedDate().toEpochDay()), a.owner());
    }

    static Account account(GenericRecord r) {
        Integer lastAccrued = (Integer) r.get("lastAccruedDate");
        return new Account(string(r, "accountId"), string(r, "currency"), ACCOUNT_STATUS.value(r.get("status")),
                (Long) r.get("balanceMinor"), (Long) r.get("sequence"), (Long) r.get("openedAt"),
                string(r, "interestRate"), string(r, "accruedInterest"),
                lastAccrued == null ? null : LocalDate.ofEpochDay(lastAccrued), string(r, "owner"));
    }

    // ---- ProcessedCommand = Command + Outcome ----

    static GenericRecord processedCommand(ProcessedCommand p) {
        // in the written schema's field order: command, outcome
        return record(PROCESSED_COMMAND, p.command() == null ? null : command(p.command()),
                p.outcome() == null ? null : outcome(p.outcome()));
    }

    static ProcessedCommand processedCommand(GenericRecord r) {
        GenericRecord command = (GenericRecord) r.get("command");
        GenericRecord outcome = (GenericRecord) r.get("outcome");
        return new ProcessedCommand(command == null ? null : command(command), outcome == null ? null : outcome(outcome));
    }

    static GenericRecord command(Command c) {
        // in the written schema's field order: type, transactionId, accountId, amount, currency, toAccountId,
        // reference, interestRate, principal, admin, owner
        return record(COMMAND, COMMAND_TYPE.symbol(c.type()), c.transactionId(), c.accountId(), c.amount(),
                c.currency(), c.toAccountId(), c.reference(), c.interestRate(), c.principal(), c.admin(),
                c.owner());
    }

    static Command command(GenericRecord r) {
        return new Command(COMMAND_TYPE.value(r.get("type")), string(r, "transactionId"), string(r, "accountId"),
                string(r, "amount"), string(r, "currency"), string(r, "toAccountId"), string(r, "reference"),
                string(r, "interestRate"), string(r, "principal"), (Boolean) r.get("admin"), string(r, "owner"));
    }

    static GenericRecord outcome(Outcome o) {
        // in the written schema's field order: transactionId, accountId, type, status, reason, detail, amountMinor,
        // balanceMinor, currency, sequence, replayed, timestamp, toAccountId, transferStatus, interestRate, principal
        return record(OUTCOME, o.transactionId(), o.accountId(), COMMAND_TYPE.symbol(o.type()),
                OUTCOME_STATUS.symbol(o.status()), REJECTION_REASON.symbol(o.reason()), o.detail(), o.amountMinor(),
                o.balanceMinor(), o.currency(), o.sequence(), o.replayed(), o.timestamp(), o.toAccountId(),
                TRANSFER_STATUS.symbol(o.transferStatus()), o.interestRate(), o.principal());
    }

    static Outcome outcome(GenericRecord r) {
        return new Outcome(string(r, "transactionId"), string(r, "accountId"), COMMAND_TYPE.value(r.get("type")),
                OUTCOME_STATUS.value(r.get("status")), REJECTION_REASON.value(r.get("reason")), string(r, "detail"),
                (Long) r.get("amountMinor"), (Long) r.get("balanceMinor"), string(r, "currency"),
                (Long) r.get("sequence"), (Boolean) r.get("replayed"), (Long) r.get("timestamp"),
                string(r, "toAccountId"), TRANSFER_STATUS.value(r.get("transferStatus")), string(r, "interestRate"),
                string(r, "principal"));
    }

    // ---- Transfer ----

    static GenericRecord transfer(Transfer t) {
        // in the written schema's field order: transferId, direction, fromAccountId, toAccountId, amountMinor,
        // currency, reference, status, reason, detail, createdAt, completedAt
        return record(TRANSFER, t.transferId(), DIRECTION.symbol(t.direction()), t.fromAccountId(), t.toAccountId(),
                t.amountMinor(), t.currency(), t.reference(), TRANSFER_STATUS.symbol(t.status()),
                REJECTION_REASON.symbol(t.reason()), t.detail(), t.createdAt(), t.completedAt());
    }

    static Transfer transfer(GenericRecord r) {
        return new Transfer(string(r, "transferId"), DIRECTION.value(r.get("direction")), string(r, "fromAccountId"),
                string(r, "toAccountId"), (Long) r.get("amountMinor"), string(r, "currency"), string(r, "reference"),
                TRANSFER_STATUS.value(r.get("status")), REJECTION_REASON.value(r.get("reason")), string(r, "detail"),
                (Long) r.get("createdAt"), (Long) r.get("completedAt"));
    }

    // ---- HistoryEntry = LedgerEntry + value timestamp ----

    static GenericRecord historyEntry(HistoryEntry h) {
        // in the written schema's field order: entry, valueTimestamp
        return record(HISTORY_ENTRY, h.entry() == null ? null : ledgerEntry(h.entry()), h.valueTimestamp());
    }

    static HistoryEntry historyEntry(GenericRecord r) {
        GenericRecord entry = (GenericRecord) r.get("entry");
        return new HistoryEntry(entry == null ? null : ledgerEntry(entry), (Long) r.get("valueTimestamp"));
    }

    static GenericRecord ledgerEntry(LedgerEntry e) {
        // in the written schema's field order: accountId, transactionId, type, amountMinor, currency,
        // balanceBeforeMinor, balanceAfterMinor, sequence, timestamp, transferId, counterpartyAccountId, reference,
        // principal
        return record(LEDGER_ENTRY, e.accountId(), e.transactionId(), ENTRY_TYPE.symbol(e.type()), e.amountMinor(),
                e.currency(), e.balanceBeforeMinor(), e.balanceAfterMinor(), e.sequence(), e.timestamp(),
                e.transferId(), e.counterpartyAccountId(), e.reference(), e.principal());
    }

    static LedgerEntry ledgerEntry(GenericRecord r) {
        return new LedgerEntry(string(r, "accountId"), string(r, "transactionId"), ENTRY_TYPE.value(r.get("type")),
                (Long) r.get("amountMinor"), string(r, "currency"), (Long) r.get("balanceBeforeMinor"),
                (Long) r.get("balanceAfterMinor"), (Long) r.get("sequence"), (Long) r.get("timestamp"),
                string(r, "transferId"), string(r, "counterpartyAccountId"), string(r, "reference"),
                string(r, "principal"));
    }

    /**
     * A record of {@code schema} with {@code values} as its fields, in the schema's order: by position, not by name,
     * as a name costs a hash lookup per field on every write. The round trips of StoreSerdesTest, whose samples give
     * every field a distinct value, fail if a writer's order does not match its schema.
     */
    private static GenericRecord record(Schema schema, Object... values) {
        if (values.length != schema.getFields().size()) {
            throw new IllegalStateException(schema.getFullName() + " has " + schema.getFields().size()
                    + " fields, not " + values.length);
        }
        GenericData.Record r = new GenericData.Record(schema);
        for (int i = 0; i < values.length; i++) r.put(i, values[i]);
        return r;
    }

    /** A string field (null stays null), as a {@link String} however Avro read it. */
    private static String string(GenericRecord r, String field) {
        Object value = r.get(field);
        return value == null ? null : value.toString();
    }
}
