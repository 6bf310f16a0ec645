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
 * <p>Each stored record maps field by field, by name, to the record of the same name: written as the schema the
 * stores write, read as the newest (Avro resolves the two). What a component is called in Java is what its field is
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
        GenericData.Record r = new GenericData.Record(ACCOUNT);
        r.put("accountId", a.accountId());
        r.put("currency", a.currency());
        r.put("status", ACCOUNT_STATUS.symbol(a.status()));
        r.put("balanceMinor", a.balanceMinor());
        r.put("sequence", a.sequence());
        r.put("openedAt", a.openedAt());
        r.put("interestRate", a.interestRate());
        r.put("accruedInterest", a.accruedInterest());
        r.put("lastAccruedDate", a.lastAccruedDate() == null ? null : Math.toIntExact(a.lastAccruedDate().toEpochDay()));
        r.put("owner", a.owner());
        return r;
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
        GenericData.Record r = new GenericData.Record(PROCESSED_COMMAND);
        r.put("command", p.command() == null ? null : command(p.command()));
        r.put("outcome", p.outcome() == null ? null : outcome(p.outcome()));
        return r;
    }

    static ProcessedCommand processedCommand(GenericRecord r) {
        GenericRecord command = (GenericRecord) r.get("command");
        GenericRecord outcome = (GenericRecord) r.get("outcome");
        return new ProcessedCommand(command == null ? null : command(command), outcome == null ? null : outcome(outcome));
    }

    static GenericRecord command(Command c) {
        GenericData.Record r = new GenericData.Record(COMMAND);
        r.put("type", COMMAND_TYPE.symbol(c.type()));
        r.put("transactionId", c.transactionId());
        r.put("accountId", c.accountId());
        r.put("amount", c.amount());
        r.put("currency", c.currency());
        r.put("toAccountId", c.toAccountId());
        r.put("reference", c.reference());
        r.put("interestRate", c.interestRate());
        r.put("principal", c.principal());
        r.put("admin", c.admin());
        r.put("owner", c.owner());
        return r;
    }

    static Command command(GenericRecord r) {
        return new Command(COMMAND_TYPE.value(r.get("type")), string(r, "transactionId"), string(r, "accountId"),
                string(r, "amount"), string(r, "currency"), string(r, "toAccountId"), string(r, "reference"),
                string(r, "interestRate"), string(r, "principal"), (Boolean) r.get("admin"), string(r, "owner"));
    }

    static GenericRecord outcome(Outcome o) {
        GenericData.Record r = new GenericData.Record(OUTCOME);
        r.put("transactionId", o.transactionId());
        r.put("accountId", o.accountId());
        r.put("type", COMMAND_TYPE.symbol(o.type()));
        r.put("status", OUTCOME_STATUS.symbol(o.status()));
        r.put("reason", REJECTION_REASON.symbol(o.reason()));
        r.put("detail", o.detail());
        r.put("amountMinor", o.amountMinor());
        r.put("balanceMinor", o.balanceMinor());
        r.put("currency", o.currency());
        r.put("sequence", o.sequence());
        r.put("replayed", o.replayed());
        r.put("timestamp", o.timestamp());
        r.put("toAccountId", o.toAccountId());
        r.put("transferStatus", TRANSFER_STATUS.symbol(o.transferStatus()));
        r.put("interestRate", o.interestRate());
        r.put("principal", o.principal());
        return r;
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
        GenericData.Record r = new GenericData.Record(TRANSFER);
        r.put("transferId", t.transferId());
        r.put("direction", DIRECTION.symbol(t.direction()));
        r.put("fromAccountId", t.fromAccountId());
        r.put("toAccountId", t.toAccountId());
        r.put("amountMinor", t.amountMinor());
        r.put("currency", t.currency());
        r.put("reference", t.reference());
        r.put("status", TRANSFER_STATUS.symbol(t.status()));
        r.put("reason", REJECTION_REASON.symbol(t.reason()));
        r.put("detail", t.detail());
        r.put("createdAt", t.createdAt());
        r.put("completedAt", t.completedAt());
        return r;
    }

    static Transfer transfer(GenericRecord r) {
        return new Transfer(string(r, "transferId"), DIRECTION.value(r.get("direction")), string(r, "fromAccountId"),
                string(r, "toAccountId"), (Long) r.get("amountMinor"), string(r, "currency"), string(r, "reference"),
                TRANSFER_STATUS.value(r.get("status")), REJECTION_REASON.value(r.get("reason")), string(r, "detail"),
                (Long) r.get("createdAt"), (Long) r.get("completedAt"));
    }

    // ---- HistoryEntry = LedgerEntry + value timestamp ----

    static GenericRecord historyEntry(HistoryEntry h) {
        GenericData.Record r = new GenericData.Record(HISTORY_ENTRY);
        r.put("entry", h.entry() == null ? null : ledgerEntry(h.entry()));
        r.put("valueTimestamp", h.valueTimestamp());
        return r;
    }

    static HistoryEntry historyEntry(GenericRecord r) {
        GenericRecord entry = (GenericRecord) r.get("entry");
        return new HistoryEntry(entry == null ? null : ledgerEntry(entry), (Long) r.get("valueTimestamp"));
    }

    static GenericRecord ledgerEntry(LedgerEntry e) {
        GenericData.Record r = new GenericData.Record(LEDGER_ENTRY);
        r.put("accountId", e.accountId());
        r.put("transactionId", e.transactionId());
        r.put("type", ENTRY_TYPE.symbol(e.type()));
        r.put("amountMinor", e.amountMinor());
        r.put("currency", e.currency());
        r.put("balanceBeforeMinor", e.balanceBeforeMinor());
        r.put("balanceAfterMinor", e.balanceAfterMinor());
        r.put("sequence", e.sequence());
        r.put("timestamp", e.timestamp());
        r.put("transferId", e.transferId());
        r.put("counterpartyAccountId", e.counterpartyAccountId());
        r.put("reference", e.reference());
        r.put("principal", e.principal());
        return r;
    }

    static LedgerEntry ledgerEntry(GenericRecord r) {
        return new LedgerEntry(string(r, "accountId"), string(r, "transactionId"), ENTRY_TYPE.value(r.get("type")),
                (Long) r.get("amountMinor"), string(r, "currency"), (Long) r.get("balanceBeforeMinor"),
                (Long) r.get("balanceAfterMinor"), (Long) r.get("sequence"), (Long) r.get("timestamp"),
                string(r, "transferId"), string(r, "counterpartyAccountId"), string(r, "reference"),
                string(r, "principal"));
    }

    /** A string field (null stays null), as a {@link String} however Avro read it. */
    private static String string(GenericRecord r, String field) {
        Object value = r.get(field);
        return value == null ? null : value.toString();
    }
}
