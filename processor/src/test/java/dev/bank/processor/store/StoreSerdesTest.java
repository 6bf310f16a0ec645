package dev.bank.processor.store;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.JsonSerde;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferStatus;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stores' binary format: every component of every stored record survives a round trip (set, null, extreme,
 * non-ASCII), values stored as JSON by earlier versions still read, the codec cannot silently drift from the
 * records, and bytes it does not know fail loudly.
 */
class StoreSerdesTest {
    private static final String TOPIC = "bank-processor-accounts-changelog";

    // ---- samples: every component set to a non-default value, and every nullable component null ----

    static final Command FULL_COMMAND = new Command(CommandType.SET_INTEREST_RATE, "tx-1", "acc-1", "12.30", "EUR",
            "acc-2", "invoice 42 – Müller €", "0.0250", "auth0|alice", true, "bob@example.com");
    static final Command NULL_COMMAND = new Command(null, null, null, null, null, null, null, null);
    static final Outcome FULL_OUTCOME = new Outcome("tx-1", "acc-1", CommandType.TRANSFER, OutcomeStatus.PENDING,
            RejectionReason.IDEMPOTENCY_CONFLICT, "détail: 😀", -1_230L, Long.MAX_VALUE, "JPY", 17, true,
            1_740_819_600_123L, "acc-2", TransferStatus.REFUNDED, "0.031", "auth0|alice");
    static final Outcome NULL_OUTCOME = new Outcome(null, null, null, null, null, null, null, null, null, 0, false, 0,
            null, null, null);
    static final LedgerEntry FULL_ENTRY = new LedgerEntry("acc-1", "tx-1", EntryType.TRANSFER_REFUND, 1_230, "EUR",
            -5, Long.MIN_VALUE, 99, 1_740_819_600_123L, "tr-1", "acc-2", "ref ✓", "alice");
    static final LedgerEntry NULL_ENTRY = new LedgerEntry(null, null, null, 0, null, 0, 0, 0, 0, null, null, null);

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of(StoreSerdes.accounts(), new Account("acc-1", "EUR", AccountStatus.CLOSED, -80_000, 2,
                        1_740_819_600_000L, "0.025", "-0.4109589041", "2025-02-28", "alice")),
                Arguments.of(StoreSerdes.accounts(), new Account(null, null, null, 0, 0, 0, null, null, null)),
                Arguments.of(StoreSerdes.accounts(), new Account("a", "X", AccountStatus.OPEN, Long.MAX_VALUE,
                        Long.MIN_VALUE, -1, "", "", "")),
                Arguments.of(StoreSerdes.processedCommands(), new ProcessedCommand(FULL_COMMAND, FULL_OUTCOME)),
                Arguments.of(StoreSerdes.processedCommands(), new ProcessedCommand(NULL_COMMAND, NULL_OUTCOME)),
                Arguments.of(StoreSerdes.processedCommands(), new ProcessedCommand(null, null)),
                Arguments.of(StoreSerdes.transfers(), new Transfer("tr-1", Transfer.Direction.IN, "acc-1", "acc-2",
                        1_230, "EUR", "rent ✓", TransferStatus.REJECTED, RejectionReason.CURRENCY_MISMATCH,
                        "account acc-2 holds USD", 1_740_819_600_000L, 1_740_819_601_000L)),
                Arguments.of(StoreSerdes.transfers(), new Transfer(null, null, null, null, 0, null, null, null, null,
                        null, 0, null)),
                Arguments.of(StoreSerdes.history(), new HistoryEntry(FULL_ENTRY, 1_740_819_600_999L)),
                Arguments.of(StoreSerdes.history(), new HistoryEntry(NULL_ENTRY, 0)),
                Arguments.of(StoreSerdes.history(), new HistoryEntry(null, -7)));
    }

    @ParameterizedTest
    @MethodSource("samples")
    <T> void jsonWritesForATwoStepUpgradeAreReadBack(StoreSerde<T> serde, T value) {
        StoreSerde<T> json = serde.writing(StoreSerde.Format.JSON);
        byte[] bytes = json.serialize(TOPIC, value);
        assertThat(bytes[0]).isEqualTo((byte) '{');
        assertThat(json.deserialize(TOPIC, bytes)).isEqualTo(value);
        assertThat(serde.deserialize(TOPIC, bytes)).isEqualTo(value);
    }

    @Test
    void storeFormatSettingIsCheckedAtStartUp() {
        assertThat(StoreSerde.Format.fromEnv(" Json ")).isEqualTo(StoreSerde.Format.JSON);
        assertThat(StoreSerde.Format.fromEnv("binary")).isEqualTo(StoreSerde.Format.BINARY);
        assertThatThrownBy(() -> StoreSerde.Format.fromEnv("avro")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BANK_STORE_FORMAT");
    }

    @ParameterizedTest
    @MethodSource("samples")
    <T> void roundTripsEveryComponent(StoreSerde<T> serde, T value) {
        // When
        byte[] bytes = serde.serialize(TOPIC, value);
        // Then the binary format is written, and reads back equal
        assertThat(bytes[0]).isEqualTo((byte) StoreSerde.BINARY_V2);
        assertThat(serde.deserialize(TOPIC, bytes)).isEqualTo(value);
    }

    @ParameterizedTest
    @MethodSource("samples")
    <T> void readsTheJsonThatEarlierVersionsStored(StoreSerde<T> serde, T value) {
        // Given the value as the JsonSerde of earlier versions stored it
        @SuppressWarnings("unchecked")
        byte[] legacy = JsonSerde.of((Class<T>) value.getClass()).serialize(TOPIC, value);
        assertThat(legacy[0]).isEqualTo((byte) '{');
        // Then it reads as the same record
        assertThat(serde.deserialize(TOPIC, legacy)).isEqualTo(value);
    }

    @Test
    void readsTheFirstBinaryLayoutWrittenBeforeOwnershipExisted() {
        // Given an account and a processed command as the first binary layout (0x01) stored them
        BinaryWriter account = new BinaryWriter(64);
        account.writeByte(StoreSerde.BINARY_V1);
        account.writeString("acc-1");
        account.writeString("EUR");
        account.writeByte(1); // OPEN
        account.writeLong(80_000);
        account.writeLong(2);
        account.writeLong(1_740_819_600_000L);
        account.writeString("0.025");
        account.writeString("0.5");
        account.writeString("2025-03-01");
        BinaryWriter history = new BinaryWriter(64);
        history.writeByte(StoreSerde.BINARY_V1);
        history.writeBoolean(true);
        history.writeString("acc-1");
        history.writeString("t-1");
        history.writeByte(2); // CREDIT
        history.writeLong(500);
        history.writeString("EUR");
        history.writeLong(0);
        history.writeLong(500);
        history.writeLong(1);
        history.writeLong(7);
        history.writeString(null);
        history.writeString(null);
        history.writeString(null);
        history.writeLong(7);
        // Then they read with no owner and no principal
        assertThat(StoreSerdes.accounts().deserialize(TOPIC, account.toByteArray())).isEqualTo(new Account("acc-1",
                "EUR", AccountStatus.OPEN, 80_000, 2, 1_740_819_600_000L, "0.025", "0.5", "2025-03-01"));
        assertThat(StoreSerdes.history().deserialize(TOPIC, history.toByteArray())).isEqualTo(new HistoryEntry(
                new LedgerEntry("acc-1", "t-1", EntryType.CREDIT, 500, "EUR", 0, 500, 1, 7), 7));
    }

    @Test
    void readsAnAccountStoredAsJsonBeforeInterestExisted() {
        // Given an accounts-store value exactly as an early version wrote it (no interest fields)
        byte[] legacy = """
                {"accountId":"acc-1","currency":"EUR","status":"OPEN","balanceMinor":80000,"sequence":2,\
                "openedAt":1740819600000}""".getBytes(StandardCharsets.UTF_8);
        // Then
        assertThat(StoreSerdes.accounts().deserialize(TOPIC, legacy))
                .isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 80_000, 2, 1_740_819_600_000L));
    }

    @Test
    void isMuchSmallerThanJson() {
        ProcessedCommand value = new ProcessedCommand(FULL_COMMAND, FULL_OUTCOME);
        byte[] json = JsonSerde.of(ProcessedCommand.class).serialize(TOPIC, value);
        assertThat(StoreSerdes.processedCommands().serialize(TOPIC, value)).hasSizeLessThan(json.length / 2);
    }

    @Test
    void keepsNullAsNull() {
        assertThat(StoreSerdes.accounts().serialize(TOPIC, null)).isNull();
        assertThat(StoreSerdes.accounts().deserialize(TOPIC, null)).isNull();
    }

    // ---- unknown or damaged bytes fail loudly ----

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x03, 0x7F, 0xFF, '['})
    void rejectsAnUnknownFormatByte(int format) {
        // Given a valid value whose format byte is not one this version knows
        byte[] bytes = StoreSerdes.accounts().serialize(TOPIC, new Account("acc-1", "EUR", AccountStatus.OPEN, 1, 1, 1));
        bytes[0] = (byte) format;
        // Then
        assertThatThrownBy(() -> StoreSerdes.accounts().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown format byte 0x" + Integer.toHexString(format))
                .hasMessageContaining("Account");
    }

    @Test
    void rejectsEmptyTruncatedAndOverlongValues() {
        StoreSerde<Transfer> serde = StoreSerdes.transfers();
        byte[] bytes = serde.serialize(TOPIC, new Transfer("tr-1", Transfer.Direction.OUT, "a", "b", 5, "EUR", null,
                TransferStatus.PENDING, null, null, 1, null));
        assertThatThrownBy(() -> serde.deserialize(TOPIC, new byte[0]))
                .isInstanceOf(SerializationException.class).hasMessageContaining("empty");
        for (int length = 1; length < bytes.length; length++) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> serde.deserialize(TOPIC, truncated)).as("truncated to %d bytes", length)
                    .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt stored Transfer");
        }
        byte[] overlong = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> serde.deserialize(TOPIC, overlong))
                .isInstanceOf(SerializationException.class).hasMessageContaining("trailing");
    }

    @Test
    void rejectsAnUnknownEnumCode() {
        // Given an account whose status byte (after the format byte and two one-char strings) is beyond the table
        byte[] bytes = StoreSerdes.accounts().serialize(TOPIC, new Account("a", "E", AccountStatus.OPEN, 0, 0, 0));
        assertThat(bytes[5]).isEqualTo((byte) 1);
        bytes[5] = 9;
        // Then
        assertThatThrownBy(() -> StoreSerdes.accounts().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown AccountStatus code 9");
    }

    // ---- no silent drift between the records and the codec ----

    static Stream<Arguments> storedRecords() {
        return Stream.of(
                Arguments.of(Account.class, StoreSerdes.ACCOUNT_COMPONENTS),
                Arguments.of(ProcessedCommand.class, StoreSerdes.PROCESSED_COMMAND_COMPONENTS),
                Arguments.of(Command.class, StoreSerdes.COMMAND_COMPONENTS),
                Arguments.of(Outcome.class, StoreSerdes.OUTCOME_COMPONENTS),
                Arguments.of(Transfer.class, StoreSerdes.TRANSFER_COMPONENTS),
                Arguments.of(HistoryEntry.class, StoreSerdes.HISTORY_ENTRY_COMPONENTS),
                Arguments.of(LedgerEntry.class, StoreSerdes.LEDGER_ENTRY_COMPONENTS));
    }

    /**
     * A component added, removed, renamed or moved in a stored record fails here until the codec's writer, reader
     * and list are changed with it (under a new format byte: values already stored keep the old layout).
     */
    @ParameterizedTest
    @MethodSource("storedRecords")
    void encodesExactlyTheComponentsOfEachStoredRecordInOrder(Class<? extends Record> type, List<String> encoded) {
        assertThat(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList())
                .as("components of %s", type.getSimpleName()).containsExactlyElementsOf(encoded);
    }

    @Test
    void coversEveryRecordNestedInAStoredValue() {
        List<Class<?>> covered = storedRecords().<Class<?>>map(a -> (Class<?>) a.get()[0]).toList();
        for (Class<?> type : covered) {
            for (RecordComponent component : type.getRecordComponents()) {
                if (component.getType().isRecord()) {
                    assertThat(covered).as("%s.%s", type.getSimpleName(), component.getName())
                            .contains(component.getType());
                }
            }
        }
    }

    /** Codes are stored: reordering or renaming an enum is harmless, but a code table is append-only. */
    @Test
    void pinsTheCodeOfEveryEnumConstant() {
        assertThat(StoreSerdes.enumCodes()).extracting(c -> c.type().getSimpleName() + " " + c.names()).containsExactly(
                "AccountStatus [OPEN, CLOSED]",
                "CommandType [OPEN_ACCOUNT, CREDIT, DEBIT, TRANSFER, SET_INTEREST_RATE]",
                "OutcomeStatus [ACCEPTED, REJECTED, PENDING]",
                "RejectionReason [INVALID_AMOUNT, INVALID_COMMAND, INSUFFICIENT_FUNDS, ACCOUNT_NOT_FOUND, "
                        + "CURRENCY_MISMATCH, DUPLICATE_ACCOUNT, ACCOUNT_CLOSED, LIMIT_EXCEEDED, IDEMPOTENCY_CONFLICT]",
                "TransferStatus [PENDING, COMPLETED, REFUNDED, REJECTED]",
                "Direction [OUT, IN]",
                "EntryType [OPENING_DEPOSIT, CREDIT, DEBIT, TRANSFER_OUT, TRANSFER_IN, TRANSFER_REFUND, INTEREST]");
    }

    @Test
    void roundTripsEveryConstantOfEveryEnum() {
        for (EnumCodes<?> codes : StoreSerdes.enumCodes()) {
            assertRoundTrips(codes);
        }
    }

    private static <E extends Enum<E>> void assertRoundTrips(EnumCodes<E> codes) {
        for (E constant : codes.type().getEnumConstants()) {
            BinaryWriter out = new BinaryWriter(1);
            codes.write(out, constant);
            assertThat(codes.read(new BinaryReader(out.toByteArray(), 0))).isEqualTo(constant);
        }
    }

    @Test
    void refusesACodeTableThatMissesAConstant() {
        assertThatThrownBy(() -> new EnumCodes<>(AccountStatus.class, AccountStatus.OPEN))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[CLOSED] missing");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 63, -64, 64, 127, 128, 1_740_819_600_000L, Long.MAX_VALUE, Long.MIN_VALUE})
    void roundTripsLongsOfEverySize(long value) {
        BinaryWriter out = new BinaryWriter(1);
        out.writeLong(value);
        out.writeNullableLong(value);
        BinaryReader in = new BinaryReader(out.toByteArray(), 0);
        assertThat(in.readLong()).isEqualTo(value);
        assertThat(in.readNullableLong()).isEqualTo(value);
        in.expectEnd();
    }
}
