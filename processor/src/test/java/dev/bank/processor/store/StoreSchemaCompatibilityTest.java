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
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every stored type held to Avro's schema-evolution rules. Released schema files are never edited (their
 * fingerprints are pinned here); every version reads every earlier one's values (an upgrade keeps the stores
 * readable) and every earlier version's schema reads every later one's (so a rollback, or an older instance during a
 * rolling upgrade, can read what a newer one wrote once it has the schema: see {@link StoreSchemas}). The Java
 * records and enums cannot drift from the schema the stores write.
 */
class StoreSchemaCompatibilityTest {
    /** The values the stores hold; the rest are nested in them. */
    static final List<String> STORED = List.of("Account", "ProcessedCommand", "Transfer", "HistoryEntry", "Hold",
            "FraudProfile", "FraudReview", "AccountEvent");

    /** Whether version {@code index} (0-based) stores the type at all: a store added later is absent before. */
    static boolean has(int index, String type) {
        return StoreSchemas.load(StoreSchemas.VERSIONS.get(index)).containsKey(StoreSchemas.NAMESPACE + "." + type);
    }

    /**
     * The parsing-canonical-form fingerprint of each stored type in each released version. A released version is
     * immutable: a schema change is a new store-vN.avsc, with its own line here.
     */
    static final Map<String, Map<String, Long>> RELEASED_FINGERPRINTS = Map.of(
            "avro/store-v1.avsc", Map.of(
                    "Account", -5230029181914723379L,
                    "ProcessedCommand", 4931053156412416482L,
                    "Transfer", 5111594569619902272L,
                    "HistoryEntry", -1537824838241854235L),
            "avro/store-v2.avsc", Map.of(
                    "Account", 8840288768073136134L,
                    "ProcessedCommand", 668309035448657128L,
                    "Transfer", 7375578067492345098L,
                    "HistoryEntry", 385923827861585466L,
                    "Hold", -2503641461302363909L),
            "avro/store-v3.avsc", Map.of(
                    "Account", 7637629417137176764L,
                    "ProcessedCommand", 4107489582321124286L,
                    "Transfer", 3584038594102004082L,
                    "HistoryEntry", -5358703751512237406L,
                    "Hold", -2503641461302363909L),
            "avro/store-v4.avsc", Map.of(
                    "Account", 7637629417137176764L,
                    "ProcessedCommand", 1131863237838828842L,
                    "Transfer", 6838111800413941346L,
                    "HistoryEntry", -5358703751512237406L,
                    "Hold", -2503641461302363909L,
                    "FraudProfile", 2990460951107059271L,
                    "FraudReview", -7259891259089980385L),
            "avro/store-v5.avsc", Map.of(
                    "Account", -4581762224998180866L,
                    "ProcessedCommand", 1131863237838828842L,
                    "Transfer", 6838111800413941346L,
                    "HistoryEntry", -5358703751512237406L,
                    "Hold", -2503641461302363909L,
                    "FraudProfile", 2990460951107059271L,
                    "FraudReview", -7259891259089980385L,
                    "AccountEvent", -1104985604218768519L));

    /**
     * The versions (1-based) whose values older versions cannot read, and why. Each adds enum symbols without an enum
     * default: an older instance would not know what to make of a FROZEN account, so it must fail rather than guess.
     * A deployment therefore reaches such a version by stopping every older instance first (no rolling upgrade), and
     * cannot roll back past it once it has written (docs/design.md, "State-store format"). Every other pair of
     * versions is held to both directions.
     */
    static final Map<Integer, String> UNREADABLE_BY_OLDER = Map.of(
            2, "adds the FROZEN status, the lifecycle, limit and hold commands, their rejection reasons, INTEREST_CHARGE"
                    + " and HOLD_CAPTURE",
            3, "adds the FX position entries (FX_BOUGHT, FX_SOLD), the POSITION direction and the FX rejection reasons"
                    + " (and an account's holdsDueFrom, which older versions would ignore)",
            4, "adds the fraud commands (SET_FRAUD_RULES, APPROVE_REVIEW, REJECT_REVIEW), the IN_REVIEW status, the"
                    + " fraud rejection reasons, and the fraud profiles and reviews stores");

    @Test
    void listsEverySchemaFileOfTheRepositoryInOrder() throws IOException {
        Path dir = Path.of("../schemas/src/main/resources/avro");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> onDisk = files.map(p -> "avro/" + p.getFileName()).sorted().toList();
            assertThat(StoreSchemas.VERSIONS).containsExactlyInAnyOrderElementsOf(onDisk);
        }
        for (int i = 0; i < StoreSchemas.VERSIONS.size(); i++) {
            assertThat(StoreSchemas.VERSIONS.get(i)).isEqualTo("avro/store-v" + (i + 1) + ".avsc");
        }
    }

    @Test
    void neverEditsAReleasedVersion() {
        assertThat(RELEASED_FINGERPRINTS.keySet()).containsExactlyInAnyOrderElementsOf(StoreSchemas.VERSIONS);
        for (int v = 0; v < StoreSchemas.VERSIONS.size(); v++) {
            Map<String, Long> actual = new HashMap<>();
            for (String type : STORED) {
                if (has(v, type)) actual.put(type, SchemaNormalization.parsingFingerprint64(StoreSchemas.inVersion(v, type)));
            }
            assertThat(actual).as("fingerprints of %s: a released schema is never edited; add a new version",
                    StoreSchemas.VERSIONS.get(v)).isEqualTo(RELEASED_FINGERPRINTS.get(StoreSchemas.VERSIONS.get(v)));
        }
    }

    /** The writers of {@link StoreSerdes} write every union as an optional value: branch 0 for null. */
    @Test
    void hasNoUnionButOptionalValues() {
        for (String resource : StoreSchemas.VERSIONS) {
            for (Schema type : StoreSchemas.load(resource).values()) {
                if (type.getType() != Schema.Type.RECORD) continue;
                for (Schema.Field field : type.getFields()) {
                    if (field.schema().getType() == Schema.Type.UNION) {
                        List<Schema> branches = field.schema().getTypes();
                        assertThat(branches.size() == 2 && branches.get(0).getType() == Schema.Type.NULL)
                                .as("%s %s.%s is [\"null\", T]", resource, type.getName(), field.name()).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void writesTheNewestVersionOrTheOneBeforeItWhileANewOneRollsOut() {
        int newest = StoreSchemas.VERSIONS.size() - 1;
        assertThat(StoreSchemas.WRITTEN).isBetween(Math.max(0, newest - 1), newest);
    }

    static Stream<Arguments> versionPairs() {
        Stream.Builder<Arguments> pairs = Stream.builder();
        for (String type : STORED) {
            for (int older = 0; older < StoreSchemas.VERSIONS.size(); older++) {
                for (int newer = older; newer < StoreSchemas.VERSIONS.size(); newer++) {
                    if (has(older, type) && has(newer, type)) pairs.add(Arguments.of(type, older, newer));
                }
            }
        }
        return pairs.build();
    }

    @ParameterizedTest(name = "{0}: v{1} and v{2}")
    @MethodSource("versionPairs")
    void everyVersionReadsEveryOtherBothWays(String type, int older, int newer) {
        Schema old = StoreSchemas.inVersion(older, type);
        Schema current = StoreSchemas.inVersion(newer, type);
        assertThat(compatibility(current, old)).as("v%d reads what v%d wrote", newer + 1, older + 1)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        boolean crossesABreak = UNREADABLE_BY_OLDER.keySet().stream().anyMatch(v -> v > older + 1 && v <= newer + 1);
        if (!crossesABreak) {
            assertThat(compatibility(old, current)).as("v%d reads what v%d wrote", older + 1, newer + 1)
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    /** A version listed as unreadable by older ones really is, for some stored type: the list says no more than it must. */
    @Test
    void listsOnlyVersionsOlderOnesCannotRead() {
        UNREADABLE_BY_OLDER.forEach((version, why) -> {
            assertThat(version).isBetween(2, StoreSchemas.VERSIONS.size());
            boolean unreadable = STORED.stream().filter(type -> has(version - 2, type)).anyMatch(type -> compatibility(
                    StoreSchemas.inVersion(version - 2, type), StoreSchemas.inVersion(version - 1, type))
                    == SchemaCompatibilityType.INCOMPATIBLE);
            assertThat(unreadable).as("v%d is listed as unreadable by v%d (%s), but v%d reads it", version,
                    version - 1, why, version - 1).isTrue();
        });
    }

    // ---- the checker itself: it accepts what Avro resolves and refuses what it cannot ----

    @Test
    void acceptsAnOptionalFieldAddedWithADefaultAndResolvesIt() throws IOException {
        // Given the next version of Account with a field added, as a later issue might add one
        Schema v1 = StoreSchemas.latest("Account");
        Schema next = evolvedAccount("""
                {"name": "exampleField", "type": ["null", "long"], "default": null}""", null);
        // Then both directions are compatible
        assertThat(compatibility(next, v1)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(compatibility(v1, next)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        // and a value the stores wrote reads in the next version, the new field at its default
        byte[] stored = StoreSerdes.accounts().serialize("t", new Account("acc-1", "EUR", AccountStatus.OPEN, 1_000, 1,
                7L, "0.01", "0", LocalDate.of(2025, 2, 28), "alice"));
        BinaryMessageDecoder<GenericRecord> nextReader = new BinaryMessageDecoder<>(GenericData.get(), next);
        nextReader.addSchema(v1);
        GenericRecord read = nextReader.decode(stored);
        assertThat(read.get("balanceMinor")).isEqualTo(1_000L);
        assertThat(read.get("lastAccruedDate")).isEqualTo((int) LocalDate.of(2025, 2, 28).toEpochDay());
        assertThat(read.get("exampleField")).isNull();
    }

    @Test
    void refusesARequiredFieldAddedWithoutADefault() {
        Schema next = evolvedAccount("""
                {"name": "exampleField", "type": "long"}""", null);
        assertThat(compatibility(next, StoreSchemas.latest("Account"))).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    @Test
    void refusesASymbolThatOlderReadersCannotRead() {
        // Given an account status added without an enum default: what would an older version make of DORMANT?
        Schema next = evolvedAccount(null, "DORMANT");
        assertThat(compatibility(next, StoreSchemas.latest("Account"))).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(compatibility(StoreSchemas.latest("Account"), next)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    /** Account as the newest store-vN.avsc has it, with {@code field} added and/or a status symbol added. */
    private static Schema evolvedAccount(String field, String statusSymbol) {
        String newest = StoreSchemas.VERSIONS.get(StoreSchemas.VERSIONS.size() - 1);
        try (InputStream in = StoreSchemas.class.getClassLoader().getResourceAsStream(newest)) {
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (statusSymbol != null) {
                text = text.replaceFirst("(\"name\": \"AccountStatus\",[^]]*)]", "$1, \"" + statusSymbol + "\"]");
            }
            if (field != null) {
                String accountEnds = "\n   ]},\n\n  {\"type\": \"record\", \"name\": \"Command\"";
                assertThat(text).contains(accountEnds);
                text = text.replace(accountEnds, ",\n" + field + accountEnds);
            }
            Schema file = new Schema.Parser().parse(text);
            Schema account = file.getTypes().stream().filter(s -> s.getName().equals("Account")).findFirst().orElseThrow();
            assertThat(account).isNotEqualTo(StoreSchemas.latest("Account"));
            return account;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static SchemaCompatibilityType compatibility(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
    }

    // ---- no silent drift between the Java records and the schema the stores write ----

    static Stream<Arguments> storedRecords() {
        return Stream.of(
                Arguments.of(Account.class, "Account"),
                Arguments.of(ProcessedCommand.class, "ProcessedCommand"),
                Arguments.of(Command.class, "Command"),
                Arguments.of(Outcome.class, "Outcome"),
                Arguments.of(Transfer.class, "Transfer"),
                Arguments.of(HistoryEntry.class, "HistoryEntry"),
                Arguments.of(LedgerEntry.class, "LedgerEntry"),
                Arguments.of(dev.bank.schemas.Hold.class, "Hold"),
                Arguments.of(dev.bank.schemas.FxQuote.class, "FxQuote"),
                Arguments.of(dev.bank.schemas.FxConversion.class, "FxConversion"),
                Arguments.of(dev.bank.schemas.FraudRules.class, "FraudRules"),
                Arguments.of(dev.bank.schemas.FraudReview.class, "FraudReview"),
                Arguments.of(dev.bank.schemas.FraudFinding.class, "FraudFinding"));
    }

    /**
     * A component added, removed or renamed in a stored record fails here until the schema has it too (in a new
     * version); a primitive component is a required field, a reference one is nullable.
     */
    @ParameterizedTest
    @MethodSource("storedRecords")
    void hasAFieldOfTheSameNameAndNullabilityForEveryComponent(Class<? extends Record> type, String name) {
        Schema schema = StoreSchemas.written(name);
        assertThat(schema.getFields().stream().map(Schema.Field::name).toList())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(type.getRecordComponents())
                        .map(RecordComponent::getName).toList());
        for (RecordComponent component : type.getRecordComponents()) {
            Schema field = schema.getField(component.getName()).schema();
            // a list or map is stored as an Avro array or map, empty rather than null
            boolean collection = java.util.Collection.class.isAssignableFrom(component.getType())
                    || java.util.Map.class.isAssignableFrom(component.getType());
            assertThat(field.isNullable()).as("%s.%s is nullable", name, component.getName())
                    .isEqualTo(!component.getType().isPrimitive() && !collection);
        }
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

    static Stream<Arguments> storedEnums() {
        return Stream.of(
                Arguments.of(AccountStatus.class, "AccountStatus"),
                Arguments.of(CommandType.class, "CommandType"),
                Arguments.of(OutcomeStatus.class, "OutcomeStatus"),
                Arguments.of(RejectionReason.class, "RejectionReason"),
                Arguments.of(TransferStatus.class, "TransferStatus"),
                Arguments.of(Transfer.Direction.class, "TransferDirection"),
                Arguments.of(EntryType.class, "EntryType"),
                Arguments.of(dev.bank.schemas.HoldStatus.class, "HoldStatus"),
                Arguments.of(dev.bank.schemas.FraudRule.class, "FraudRule"),
                Arguments.of(dev.bank.schemas.ReviewStatus.class, "ReviewStatus"));
    }

    /** Stored by name: a Java constant the schema lacks could not be stored, and one it has extra never read. */
    @ParameterizedTest
    @MethodSource("storedEnums")
    void hasASymbolForEveryEnumConstant(Class<? extends Enum<?>> type, String name) {
        assertThat(StoreSchemas.written(name).getEnumSymbols()).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(type.getEnumConstants()).map(Enum::name).toList());
    }
}
