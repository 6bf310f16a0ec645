package dev.bank.processor.store;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.processor.fraud.FraudProfile;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferStatus;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.Encoder;

import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The serdes of the processor's state stores, in Avro ({@link StoreSerde}, schemas in {@link StoreSchemas}).
 * Internal to the processor: the public topics stay JSON.
 *
 * <p>A value is read by Avro's resolving reader (any released schema, resolved to the newest) and mapped by field
 * name, as the Java component of the same name. It is written by walking its components in the written schema's
 * field order straight onto Avro's encoder, without building an Avro record first: Avro's generic writer
 * (records, then a walk of the schema for every value) was the stream thread's largest added cost (docs/performance.md).
 * These writers are held to the schema by Avro itself: every value written is read back by Avro's reader in the
 * round trips of StoreSerdesTest and StoreSerdesPropertiesTest (whose values give the fields distinct values, so a
 * field out of order cannot go unnoticed), and what Avro reads re-encodes with Avro's own writer to the same bytes. What a component is called in Java is what its field is called in Avro
 * ({@code StoreSchemaCompatibilityTest}). Decimal amounts and rates are stored as the exact strings the records hold
 * ({@code "10.00"} stays {@code "10.00"}); a date is an Avro {@code date} (days since 1970-01-01).
 */
public final class StoreSerdes {

    private static final AvroEnum<AccountStatus> ACCOUNT_STATUS = new AvroEnum<>(AccountStatus.class,
            StoreSchemas.written("AccountStatus"));
    private static final AvroEnum<CommandType> COMMAND_TYPE = new AvroEnum<>(CommandType.class,
            StoreSchemas.written("CommandType"));
    private static final AvroEnum<OutcomeStatus> OUTCOME_STATUS = new AvroEnum<>(OutcomeStatus.class,
            StoreSchemas.written("OutcomeStatus"));
    private static final AvroEnum<RejectionReason> REJECTION_REASON = new AvroEnum<>(RejectionReason.class,
            StoreSchemas.written("RejectionReason"));
    private static final AvroEnum<TransferStatus> TRANSFER_STATUS = new AvroEnum<>(TransferStatus.class,
            StoreSchemas.written("TransferStatus"));
    private static final AvroEnum<Transfer.Direction> DIRECTION = new AvroEnum<>(Transfer.Direction.class,
            StoreSchemas.written("TransferDirection"));
    private static final AvroEnum<EntryType> ENTRY_TYPE = new AvroEnum<>(EntryType.class,
            StoreSchemas.written("EntryType"));
    private static final AvroEnum<HoldStatus> HOLD_STATUS = new AvroEnum<>(HoldStatus.class,
            StoreSchemas.written("HoldStatus"));

    private static final AvroEnum<FraudRule> FRAUD_RULE = new AvroEnum<>(FraudRule.class,
            StoreSchemas.written("FraudRule"));
    private static final AvroEnum<ReviewStatus> REVIEW_STATUS = new AvroEnum<>(ReviewStatus.class,
            StoreSchemas.written("ReviewStatus"));

    private static final AvroEnum<AccountEventType> EVENT_TYPE = new AvroEnum<>(AccountEventType.class,
            StoreSchemas.written("AccountEventType"));
    private static final AvroEnum<HoldEvent.Type> HOLD_CHANGE = new AvroEnum<>(HoldEvent.Type.class,
            StoreSchemas.written("HoldChange"));

    private static final StoreSerde<Account> ACCOUNTS =
            new StoreSerde<>("Account", StoreSerdes::account, StoreSerdes::account);
    private static final StoreSerde<ProcessedCommand> PROCESSED_COMMANDS =
            new StoreSerde<>("ProcessedCommand", StoreSerdes::processedCommand, StoreSerdes::processedCommand);
    private static final StoreSerde<Transfer> TRANSFERS =
            new StoreSerde<>("Transfer", StoreSerdes::transfer, StoreSerdes::transfer);
    private static final StoreSerde<HistoryEntry> HISTORY =
            new StoreSerde<>("HistoryEntry", StoreSerdes::historyEntry, StoreSerdes::historyEntry);
    private static final StoreSerde<Hold> HOLDS = new StoreSerde<>("Hold", StoreSerdes::hold, StoreSerdes::hold);
    private static final StoreSerde<FraudProfile> FRAUD_PROFILES =
            new StoreSerde<>("FraudProfile", StoreSerdes::fraudProfile, StoreSerdes::fraudProfile);
    private static final StoreSerde<FraudReview> FRAUD_REVIEWS =
            new StoreSerde<>("FraudReview", StoreSerdes::fraudReview, StoreSerdes::fraudReview);

    private static final StoreSerde<AccountEvent> ACCOUNT_EVENTS =
            new StoreSerde<>("AccountEvent", StoreSerdes::accountEvent, StoreSerdes::accountEvent);

    private StoreSerdes() {}

    public static StoreSerde<AccountEvent> accountEvents() {
        return ACCOUNT_EVENTS;
    }

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

    public static StoreSerde<Hold> holds() {
        return HOLDS;
    }

    public static StoreSerde<FraudProfile> fraudProfiles() {
        return FRAUD_PROFILES;
    }

    public static StoreSerde<FraudReview> fraudReviews() {
        return FRAUD_REVIEWS;
    }

    // ---- Account ----

    static void account(Encoder out, Account a) throws IOException {
        optional(out, a.accountId());
        optional(out, a.currency());
        optional(out, ACCOUNT_STATUS, a.status());
        out.writeLong(a.balanceMinor());
        out.writeLong(a.sequence());
        out.writeLong(a.openedAt());
        optional(out, a.interestRate());
        optional(out, a.accruedInterest());
        optional(out, a.lastAccruedDate());
        optional(out, a.owner());
        out.writeLong(a.overdraftLimitMinor());
        optional(out, a.dailyOutflowLimitMinor());
        optional(out, a.debitInterestRate());
        optional(out, a.outflowDate());
        out.writeLong(a.outflowMinor());
        out.writeLong(a.heldMinor());
        out.writeInt(a.pendingTransfersOut());
        optional(out, a.closedAt());
        out.writeInt(a.activeHolds());
        optional(out, a.holdsDueFrom());
        out.writeLong(a.eventSequence());
    }

    static Account account(GenericRecord r) {
        return new Account(string(r, "accountId"), string(r, "currency"), ACCOUNT_STATUS.value(r.get("status")),
                (Long) r.get("balanceMinor"), (Long) r.get("sequence"), (Long) r.get("openedAt"),
                string(r, "interestRate"), string(r, "accruedInterest"), date(r, "lastAccruedDate"),
                string(r, "owner"), (Long) r.get("overdraftLimitMinor"), (Long) r.get("dailyOutflowLimitMinor"),
                string(r, "debitInterestRate"), date(r, "outflowDate"), (Long) r.get("outflowMinor"),
                (Long) r.get("heldMinor"), (Integer) r.get("pendingTransfersOut"), (Long) r.get("closedAt"),
                (Integer) r.get("activeHolds"), (Long) r.get("holdsDueFrom"), (Long) r.get("eventSequence"));
    }

    // ---- AccountEvent (with its posting or hold change) ----

    static void accountEvent(Encoder out, AccountEvent e) throws IOException {
        optional(out, e.accountId());
        out.writeLong(e.sequence());
        optional(out, EVENT_TYPE, e.type());
        out.writeLong(e.timestamp());
        optional(out, e.currency());
        out.writeLong(e.balanceMinor());
        out.writeLong(e.availableMinor());
        out.writeLong(e.heldMinor());
        optional(out, e.owner());
        optionalRecord(out, e.posting(), StoreSerdes::ledgerEntry);
        optionalRecord(out, e.hold(), StoreSerdes::holdEvent);
        optional(out, e.statementMonth());
    }

    static AccountEvent accountEvent(GenericRecord r) {
        GenericRecord posting = (GenericRecord) r.get("posting");
        GenericRecord hold = (GenericRecord) r.get("hold");
        return new AccountEvent(string(r, "accountId"), (Long) r.get("sequence"), EVENT_TYPE.value(r.get("type")),
                (Long) r.get("timestamp"), string(r, "currency"), (Long) r.get("balanceMinor"),
                (Long) r.get("availableMinor"), (Long) r.get("heldMinor"), string(r, "owner"),
                posting == null ? null : ledgerEntry(posting), hold == null ? null : holdEvent(hold),
                string(r, "statementMonth"));
    }

    static void holdEvent(Encoder out, HoldEvent h) throws IOException {
        optional(out, h.accountId());
        optional(out, h.holdId());
        optional(out, HOLD_CHANGE, h.event());
        out.writeLong(h.amountMinor());
        optional(out, h.transactionId());
        out.writeLong(h.timestamp());
        optionalRecord(out, h.hold(), StoreSerdes::hold);
    }

    static HoldEvent holdEvent(GenericRecord r) {
        GenericRecord hold = (GenericRecord) r.get("hold");
        return new HoldEvent(string(r, "accountId"), string(r, "holdId"), HOLD_CHANGE.value(r.get("event")),
                (Long) r.get("amountMinor"), string(r, "transactionId"), (Long) r.get("timestamp"),
                hold == null ? null : hold(hold));
    }

    // ---- ProcessedCommand = Command + Outcome ----

    static void processedCommand(Encoder out, ProcessedCommand p) throws IOException {
        optionalRecord(out, p.command(), StoreSerdes::command);
        optionalRecord(out, p.outcome(), StoreSerdes::outcome);
    }

    static ProcessedCommand processedCommand(GenericRecord r) {
        GenericRecord command = (GenericRecord) r.get("command");
        GenericRecord outcome = (GenericRecord) r.get("outcome");
        return new ProcessedCommand(command == null ? null : command(command), outcome == null ? null : outcome(outcome));
    }

    static void command(Encoder out, Command c) throws IOException {
        optional(out, COMMAND_TYPE, c.type());
        optional(out, c.transactionId());
        optional(out, c.accountId());
        optional(out, c.amount());
        optional(out, c.currency());
        optional(out, c.toAccountId());
        optional(out, c.reference());
        optional(out, c.interestRate());
        optional(out, c.principal());
        optional(out, c.admin());
        optional(out, c.owner());
        optional(out, c.overdraftLimit());
        optional(out, c.dailyOutflowLimit());
        optional(out, c.debitInterestRate());
        optional(out, c.holdId());
        optional(out, c.expiresAt());
        optionalRecord(out, c.fx(), StoreSerdes::fxQuote);
        optional(out, c.reviewId());
        optionalRecord(out, c.fraudRules(), StoreSerdes::fraudRules);
    }

    static Command command(GenericRecord r) {
        return new Command(COMMAND_TYPE.value(r.get("type")), string(r, "transactionId"), string(r, "accountId"),
                string(r, "amount"), string(r, "currency"), string(r, "toAccountId"), string(r, "reference"),
                string(r, "interestRate"), string(r, "principal"), (Boolean) r.get("admin"), string(r, "owner"),
                string(r, "overdraftLimit"), string(r, "dailyOutflowLimit"), string(r, "debitInterestRate"),
                string(r, "holdId"), string(r, "expiresAt"), fxQuote((GenericRecord) r.get("fx")),
                string(r, "reviewId"), fraudRules((GenericRecord) r.get("fraudRules")));
    }

    // ---- fraud: rules, profiles, reviews ----

    static void fraudRules(Encoder out, FraudRules f) throws IOException {
        optional(out, f.enabled());
        optional(out, f.velocityMaxCount());
        optional(out, f.largeAmountFactor());
        optional(out, f.dailyOutflowCap());
        optional(out, f.newPayeeAmount());
        optional(out, f.structuringThreshold());
    }

    static FraudRules fraudRules(GenericRecord r) {
        if (r == null) return null;
        return new FraudRules((Boolean) r.get("enabled"), (Integer) r.get("velocityMaxCount"),
                (Integer) r.get("largeAmountFactor"), string(r, "dailyOutflowCap"), string(r, "newPayeeAmount"),
                string(r, "structuringThreshold"));
    }

    static void fraudProfile(Encoder out, FraudProfile p) throws IOException {
        longs(out, p.outflowAt());
        longs(out, p.outflowMinor());
        longs(out, p.inflowAt());
        longs(out, p.inflowMinor());
        out.writeArrayStart();
        out.setItemCount(p.payees().size());
        for (String payee : p.payees()) {
            out.startItem();
            out.writeString(payee);
        }
        out.writeArrayEnd();
        optionalRecord(out, p.rules(), StoreSerdes::fraudRules);
    }

    static FraudProfile fraudProfile(GenericRecord r) {
        List<String> payees = new ArrayList<>();
        for (Object payee : (Collection<?>) r.get("payees")) payees.add(payee.toString());
        return new FraudProfile(longs(r, "outflowAt"), longs(r, "outflowMinor"), longs(r, "inflowAt"),
                longs(r, "inflowMinor"), List.copyOf(payees), fraudRules((GenericRecord) r.get("rules")));
    }

    static void fraudReview(Encoder out, FraudReview v) throws IOException {
        optional(out, v.accountId());
        optional(out, v.transactionId());
        optionalRecord(out, v.command(), StoreSerdes::command);
        out.writeLong(v.amountMinor());
        optional(out, v.currency());
        out.writeInt(v.score());
        out.writeArrayStart();
        out.setItemCount(v.findings().size());
        for (FraudFinding f : v.findings()) {
            out.startItem();
            optional(out, FRAUD_RULE, f.rule());
            out.writeInt(f.score());
            optional(out, f.reason());
            Map<String, String> evidence = f.evidence() == null ? Map.of() : f.evidence();
            out.writeMapStart();
            out.setItemCount(evidence.size());
            for (Map.Entry<String, String> e : evidence.entrySet()) {
                out.startItem();
                out.writeString(e.getKey());
                out.writeString(e.getValue());
            }
            out.writeMapEnd();
        }
        out.writeArrayEnd();
        optional(out, REVIEW_STATUS, v.status());
        out.writeLong(v.createdAt());
        out.writeLong(v.deadline());
        optional(out, REVIEW_STATUS, v.resolution());
        optional(out, v.decidedAt());
        optional(out, v.decidedBy());
    }

    static FraudReview fraudReview(GenericRecord r) {
        List<FraudFinding> findings = new ArrayList<>();
        for (Object item : (Collection<?>) r.get("findings")) {
            GenericRecord f = (GenericRecord) item;
            // Avro reads a map unordered: sorted by name, the evidence reads the same every time
            Map<String, String> evidence = new TreeMap<>();
            ((Map<?, ?>) f.get("evidence")).forEach((k, v) -> evidence.put(k.toString(), v.toString()));
            findings.add(new FraudFinding(FRAUD_RULE.value(f.get("rule")), (Integer) f.get("score"),
                    string(f, "reason"), evidence));
        }
        GenericRecord command = (GenericRecord) r.get("command");
        return new FraudReview(string(r, "accountId"), string(r, "transactionId"),
                command == null ? null : command(command), (Long) r.get("amountMinor"), string(r, "currency"),
                (Integer) r.get("score"), List.copyOf(findings), REVIEW_STATUS.value(r.get("status")),
                (Long) r.get("createdAt"), (Long) r.get("deadline"), REVIEW_STATUS.value(r.get("resolution")),
                (Long) r.get("decidedAt"), string(r, "decidedBy"));
    }

    private static void longs(Encoder out, long[] values) throws IOException {
        out.writeArrayStart();
        out.setItemCount(values.length);
        for (long v : values) {
            out.startItem();
            out.writeLong(v);
        }
        out.writeArrayEnd();
    }

    private static long[] longs(GenericRecord r, String field) {
        Collection<?> values = (Collection<?>) r.get(field);
        long[] out = new long[values.size()];
        int i = 0;
        for (Object v : values) out[i++] = (Long) v;
        return out;
    }

    static void fxQuote(Encoder out, FxQuote q) throws IOException {
        optional(out, q.quoteId());
        optional(out, q.from());
        optional(out, q.to());
        optional(out, q.rate());
        optional(out, q.validUntil());
    }

    static FxQuote fxQuote(GenericRecord r) {
        if (r == null) return null;
        return new FxQuote(string(r, "quoteId"), string(r, "from"), string(r, "to"), string(r, "rate"),
                string(r, "validUntil"));
    }

    static void fxConversion(Encoder out, FxConversion c) throws IOException {
        optional(out, c.quoteId());
        optional(out, c.rate());
        out.writeLong(c.sourceAmountMinor());
        optional(out, c.sourceCurrency());
        out.writeLong(c.targetAmountMinor());
        optional(out, c.targetCurrency());
    }

    /** A record's {@code fx} field (absent in schemas before v3: null). */
    static FxConversion fxConversion(GenericRecord r) {
        GenericRecord c = (GenericRecord) r.get("fx");
        if (c == null) return null;
        return new FxConversion(string(c, "quoteId"), string(c, "rate"), (Long) c.get("sourceAmountMinor"),
                string(c, "sourceCurrency"), (Long) c.get("targetAmountMinor"), string(c, "targetCurrency"));
    }

    static void outcome(Encoder out, Outcome o) throws IOException {
        optional(out, o.transactionId());
        optional(out, o.accountId());
        optional(out, COMMAND_TYPE, o.type());
        optional(out, OUTCOME_STATUS, o.status());
        optional(out, REJECTION_REASON, o.reason());
        optional(out, o.detail());
        optional(out, o.amountMinor());
        optional(out, o.balanceMinor());
        optional(out, o.currency());
        out.writeLong(o.sequence());
        out.writeBoolean(o.replayed());
        out.writeLong(o.timestamp());
        optional(out, o.toAccountId());
        optional(out, TRANSFER_STATUS, o.transferStatus());
        optional(out, o.interestRate());
        optional(out, o.principal());
        optional(out, o.holdId());
        optional(out, HOLD_STATUS, o.holdStatus());
        optional(out, o.holdRemainingMinor());
        optional(out, o.availableMinor());
        optionalRecord(out, o.fx(), StoreSerdes::fxConversion);
    }

    static Outcome outcome(GenericRecord r) {
        return new Outcome(string(r, "transactionId"), string(r, "accountId"), COMMAND_TYPE.value(r.get("type")),
                OUTCOME_STATUS.value(r.get("status")), REJECTION_REASON.value(r.get("reason")), string(r, "detail"),
                (Long) r.get("amountMinor"), (Long) r.get("balanceMinor"), string(r, "currency"),
                (Long) r.get("sequence"), (Boolean) r.get("replayed"), (Long) r.get("timestamp"),
                string(r, "toAccountId"), TRANSFER_STATUS.value(r.get("transferStatus")), string(r, "interestRate"),
                string(r, "principal"), string(r, "holdId"), HOLD_STATUS.value(r.get("holdStatus")),
                (Long) r.get("holdRemainingMinor"), (Long) r.get("availableMinor"), fxConversion(r));
    }

    // ---- Hold ----

    static void hold(Encoder out, Hold h) throws IOException {
        optional(out, h.holdId());
        optional(out, h.accountId());
        out.writeLong(h.amountMinor());
        out.writeLong(h.capturedMinor());
        optional(out, h.currency());
        optional(out, h.reference());
        optional(out, HOLD_STATUS, h.status());
        optional(out, h.expiresAt());
        out.writeLong(h.createdAt());
        optional(out, h.closedAt());
    }

    static Hold hold(GenericRecord r) {
        return new Hold(string(r, "holdId"), string(r, "accountId"), (Long) r.get("amountMinor"),
                (Long) r.get("capturedMinor"), string(r, "currency"), string(r, "reference"),
                HOLD_STATUS.value(r.get("status")), (Long) r.get("expiresAt"), (Long) r.get("createdAt"),
                (Long) r.get("closedAt"));
    }

    // ---- Transfer ----

    static void transfer(Encoder out, Transfer t) throws IOException {
        optional(out, t.transferId());
        optional(out, DIRECTION, t.direction());
        optional(out, t.fromAccountId());
        optional(out, t.toAccountId());
        out.writeLong(t.amountMinor());
        optional(out, t.currency());
        optional(out, t.reference());
        optional(out, TRANSFER_STATUS, t.status());
        optional(out, REJECTION_REASON, t.reason());
        optional(out, t.detail());
        out.writeLong(t.createdAt());
        optional(out, t.completedAt());
        optionalRecord(out, t.fx(), StoreSerdes::fxConversion);
    }

    static Transfer transfer(GenericRecord r) {
        return new Transfer(string(r, "transferId"), DIRECTION.value(r.get("direction")), string(r, "fromAccountId"),
                string(r, "toAccountId"), (Long) r.get("amountMinor"), string(r, "currency"), string(r, "reference"),
                TRANSFER_STATUS.value(r.get("status")), REJECTION_REASON.value(r.get("reason")), string(r, "detail"),
                (Long) r.get("createdAt"), (Long) r.get("completedAt"), fxConversion(r));
    }

    // ---- HistoryEntry = LedgerEntry + value timestamp ----

    static void historyEntry(Encoder out, HistoryEntry h) throws IOException {
        optionalRecord(out, h.entry(), StoreSerdes::ledgerEntry);
        out.writeLong(h.valueTimestamp());
    }

    static HistoryEntry historyEntry(GenericRecord r) {
        GenericRecord entry = (GenericRecord) r.get("entry");
        return new HistoryEntry(entry == null ? null : ledgerEntry(entry), (Long) r.get("valueTimestamp"));
    }

    static void ledgerEntry(Encoder out, LedgerEntry e) throws IOException {
        optional(out, e.accountId());
        optional(out, e.transactionId());
        optional(out, ENTRY_TYPE, e.type());
        out.writeLong(e.amountMinor());
        optional(out, e.currency());
        out.writeLong(e.balanceBeforeMinor());
        out.writeLong(e.balanceAfterMinor());
        out.writeLong(e.sequence());
        out.writeLong(e.timestamp());
        optional(out, e.transferId());
        optional(out, e.counterpartyAccountId());
        optional(out, e.reference());
        optional(out, e.principal());
        optionalRecord(out, e.fx(), StoreSerdes::fxConversion);
    }

    static LedgerEntry ledgerEntry(GenericRecord r) {
        return new LedgerEntry(string(r, "accountId"), string(r, "transactionId"), ENTRY_TYPE.value(r.get("type")),
                (Long) r.get("amountMinor"), string(r, "currency"), (Long) r.get("balanceBeforeMinor"),
                (Long) r.get("balanceAfterMinor"), (Long) r.get("sequence"), (Long) r.get("timestamp"),
                string(r, "transferId"), string(r, "counterpartyAccountId"), string(r, "reference"),
                string(r, "principal"), fxConversion(r));
    }

    // ---- optional values: the union ["null", T], branch 0 for null ----

    private static void optional(Encoder out, String value) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) out.writeString(value);
    }

    private static void optional(Encoder out, Long value) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) out.writeLong(value);
    }

    private static void optional(Encoder out, Integer value) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) out.writeInt(value);
    }

    private static void optional(Encoder out, Boolean value) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) out.writeBoolean(value);
    }

    /** An Avro {@code date}: days since 1970-01-01, as an int. */
    private static void optional(Encoder out, LocalDate value) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) out.writeInt(Math.toIntExact(value.toEpochDay()));
    }

    private static <T> void optionalRecord(Encoder out, T value, StoreSerde.Writer<T> writer) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) writer.write(out, value);
    }

    private static <E extends Enum<E>> void optional(Encoder out, AvroEnum<E> symbols, E value) throws IOException {
        out.writeIndex(value == null ? 0 : 1);
        if (value != null) out.writeEnum(symbols.index(value));
    }

    /** A date field (null stays null): Avro's {@code date}, days since 1970-01-01. */
    private static LocalDate date(GenericRecord r, String field) {
        Integer days = (Integer) r.get(field);
        return days == null ? null : LocalDate.ofEpochDay(days);
    }

    /** A string field (null stays null), as a {@link String} however Avro read it. */
    private static String string(GenericRecord r, String field) {
        Object value = r.get(field);
        return value == null ? null : value.toString();
    }
}
