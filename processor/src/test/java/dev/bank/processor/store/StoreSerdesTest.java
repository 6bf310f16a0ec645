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
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stores' Avro values: every component of every stored record survives a round trip (set, null, extreme,
 * non-ASCII), the bytes are Avro's single-object encoding naming the written schema, and bytes it does not know
 * (no Avro, an unknown schema, damaged) fail loudly as {@link SerializationException}s. The schemas' own rules are
 * {@link StoreSchemaCompatibilityTest}'s.
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
                        1_740_819_600_000L, "0.025", "-0.4109589041", LocalDate.of(2025, 2, 28), "alice")),
                Arguments.of(StoreSerdes.accounts(), new Account("acc-2", "EUR", AccountStatus.FROZEN, -12_000, 9, 5L,
                        "0.01", "-0.25", LocalDate.of(2026, 3, 9), "bob", 50_000, 30_000L, "0.12",
                        LocalDate.of(2026, 3, 10), 29_999, 1_234, 3, 1_773_100_000_000L, 7)),
                Arguments.of(StoreSerdes.accounts(), new Account(null, null, null, 0, 0, 0, null, null, null)),
                Arguments.of(StoreSerdes.accounts(), new Account("a", "X", AccountStatus.OPEN, Long.MAX_VALUE,
                        Long.MIN_VALUE, -1, "", "", LocalDate.of(-9999, 1, 1))),
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
    <T> void roundTripsEveryComponent(StoreSerde<T> serde, T value) {
        // When
        byte[] bytes = serde.serialize(TOPIC, value);
        // Then it is Avro's single-object encoding, and reads back equal
        assertThat(bytes[0]).isEqualTo(AVRO_MARKER[0]);
        assertThat(bytes[1]).isEqualTo(AVRO_MARKER[1]);
        assertThat(serde.deserialize(TOPIC, bytes)).isEqualTo(value);
    }

    @ParameterizedTest
    @MethodSource("samples")
    <T> void namesTheWrittenSchemaByItsFingerprint(StoreSerde<T> serde, T value) {
        byte[] bytes = serde.serialize(TOPIC, value);
        String type = value.getClass().getSimpleName();
        long fingerprint = SchemaNormalization.parsingFingerprint64(StoreSchemas.written(type));
        assertThat(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(fingerprint);
    }

    @ParameterizedTest
    @MethodSource("samples")
    <T> void isAvrosOwnSingleObjectEncodingBothWays(StoreSerde<T> serde, T value) throws IOException {
        String type = value.getClass().getSimpleName();
        Schema written = StoreSchemas.written(type);
        // Avro's own decoder reads what the serde writes
        BinaryMessageDecoder<GenericRecord> avro = new BinaryMessageDecoder<>(GenericData.get(), written);
        GenericRecord read = avro.decode(serde.serialize(TOPIC, value));
        assertThat(read.getSchema().getFullName()).isEqualTo("dev.bank.store." + type);
        // and the serde reads what Avro's own encoder writes, as the same value
        byte[] bytes = serde.serialize(TOPIC, value);
        byte[] avroBytes = encode(written, read);
        assertThat(avroBytes).isEqualTo(bytes);
        assertThat(serde.deserialize(TOPIC, avroBytes)).isEqualTo(value);
    }

    @Test
    void readsStringsAsJavaStringsNotAvroUtf8() {
        for (String type : List.of("Account", "Command", "Outcome", "Transfer", "LedgerEntry")) {
            for (Schema.Field field : StoreSchemas.latest(type).getFields()) {
                Schema schema = field.schema().isUnion() ? field.schema().getTypes().get(1) : field.schema();
                if (schema.getType() == Schema.Type.STRING) {
                    assertThat(schema.getProp(GenericData.STRING_PROP)).as("%s.%s", type, field.name())
                            .isEqualTo("String");
                }
            }
        }
    }

    @Test
    void storesADateAsItsEpochDay() {
        // Given two accounts that differ only in their last accrued date, one day apart
        Account a = new Account("a", "EUR", AccountStatus.OPEN, 0, 0, 0, null, null, LocalDate.of(2025, 2, 28));
        byte[] first = StoreSerdes.accounts().serialize(TOPIC, a);
        byte[] next = StoreSerdes.accounts().serialize(TOPIC, a.withAccrual(null, LocalDate.of(2025, 3, 1)));
        // Then the date is an int of days since 1970 (zig-zag varint), not text
        assertThat(new String(first, StandardCharsets.ISO_8859_1)).doesNotContain("2025");
        assertThat(first).hasSameSizeAs(next);
        assertThat(StoreSerdes.accounts().deserialize(TOPIC, next).lastAccruedDate()).isEqualTo(LocalDate.of(2025, 3, 1));
    }

    @Test
    void refusesADateAnAvroDateCannotHold() {
        Account farOff = new Account("a", "EUR", AccountStatus.OPEN, 0, 0, 0, null, null, LocalDate.MAX);
        assertThatThrownBy(() -> StoreSerdes.accounts().serialize(TOPIC, farOff))
                .isInstanceOf(SerializationException.class).hasMessageContaining("cannot store a Account");
    }

    @Test
    void roundTripsEveryConstantOfEveryStoredEnum() {
        for (AccountStatus status : AccountStatus.values()) {
            Account account = new Account("a", "EUR", status, 0, 0, 0);
            assertThat(StoreSerdes.accounts().deserialize(TOPIC, StoreSerdes.accounts().serialize(TOPIC, account)))
                    .isEqualTo(account);
        }
        for (EntryType type : EntryType.values()) {
            HistoryEntry entry = new HistoryEntry(new LedgerEntry("a", "t", type, 1, "EUR", 0, 1, 1, 0), 0);
            assertThat(StoreSerdes.history().deserialize(TOPIC, StoreSerdes.history().serialize(TOPIC, entry)))
                    .isEqualTo(entry);
        }
        for (CommandType type : CommandType.values()) {
            for (OutcomeStatus status : OutcomeStatus.values()) {
                for (RejectionReason reason : RejectionReason.values()) {
                    for (TransferStatus transferStatus : TransferStatus.values()) {
                        ProcessedCommand p = new ProcessedCommand(new Command(type, "t", "a", "1", "EUR", null, null,
                                null), new Outcome("t", "a", type, status, reason, null, 1L, 1L, "EUR", 1, false, 0, null,
                                transferStatus, null));
                        assertThat(StoreSerdes.processedCommands().deserialize(TOPIC,
                                StoreSerdes.processedCommands().serialize(TOPIC, p))).isEqualTo(p);
                    }
                }
            }
        }
        for (Transfer.Direction direction : Transfer.Direction.values()) {
            Transfer t = new Transfer("tr", direction, "a", "b", 1, "EUR", null, TransferStatus.PENDING, null, null, 0,
                    null);
            assertThat(StoreSerdes.transfers().deserialize(TOPIC, StoreSerdes.transfers().serialize(TOPIC, t)))
                    .isEqualTo(t);
        }
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

    @Test
    void refusesTheJsonThatVersionsBeforeAvroStored() {
        // Given an accounts-store value as versions before the Avro stores wrote it
        byte[] json = JsonSerde.of(Account.class).serialize(TOPIC, new Account("acc-1", "EUR", AccountStatus.OPEN, 1, 1, 1));
        // Then it is refused, never misread
        assertThatThrownBy(() -> StoreSerdes.accounts().deserialize(TOPIC, json))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unreadable stored Account value");
    }

    @Test
    void refusesAValueOfASchemaThisVersionDoesNotKnow() {
        // Given an account written with a schema this version does not ship (as a newer version would write it)
        Schema newer = SchemaBuilder.record("Account").namespace("dev.bank.store").fields()
                .requiredString("accountId").optionalString("nickname").endRecord();
        GenericRecord record = new GenericRecordBuilder(newer).set("accountId", "acc-1").set("nickname", "x").build();
        byte[] bytes = encode(newer, record);
        // Then
        assertThatThrownBy(() -> StoreSerdes.accounts().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unreadable stored Account value")
                .hasMessageContaining("store-v1.avsc");
    }

    @Test
    void refusesEmptyForeignAndTruncatedValues() {
        byte[] bytes = StoreSerdes.transfers().serialize(TOPIC, new Transfer("tr-1", Transfer.Direction.OUT, "a", "b",
                1_230, "EUR", "rent", TransferStatus.PENDING, null, null, 1L, null));
        List<byte[]> damaged = new ArrayList<>();
        damaged.add(new byte[0]);
        damaged.add(new byte[] {0x02, 0x05, 0x61});
        damaged.add("not avro at all".getBytes(StandardCharsets.UTF_8));
        for (int length = 1; length < bytes.length; length++) damaged.add(Arrays.copyOf(bytes, length));
        for (byte[] value : damaged) {
            assertThatThrownBy(() -> StoreSerdes.transfers().deserialize(TOPIC, value))
                    .as("%d bytes", value.length)
                    .isInstanceOf(SerializationException.class).hasMessageContaining("unreadable stored Transfer value");
        }
    }

    @Test
    void refusesAnEnumIndexBeyondTheSchema() {
        // Given an account whose status (after the 10-byte header, two one-char strings and the union branch) is 9
        byte[] bytes = StoreSerdes.accounts().serialize(TOPIC, new Account("a", "E", AccountStatus.OPEN, 0, 0, 0));
        int status = 10 + 3 + 3 + 1;
        assertThat(bytes[status]).isEqualTo((byte) 0); // OPEN: index 0, zig-zag 0
        bytes[status] = 18; // zig-zag of 9
        // Then
        assertThatThrownBy(() -> StoreSerdes.accounts().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unreadable stored Account value");
    }

    private static final byte[] AVRO_MARKER = {(byte) 0xC3, 0x01};

    static byte[] encode(Schema schema, GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
