package dev.bank.processor.store;

import dev.bank.schemas.AccountStatus;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loading the released schemas, and Java enums mapped onto Avro enums by name. */
class StoreSchemasTest {

    @Test
    void namesTheVersionThatLacksAType() {
        assertThatThrownBy(() -> StoreSchemas.written("Nonexistent"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(StoreSchemas.VERSIONS.get(StoreSchemas.WRITTEN))
                .hasMessageContaining("Nonexistent");
        assertThat(StoreSchemas.released("Nonexistent")).isEmpty();
        assertThat(StoreSchemas.released("Account")).hasSize(StoreSchemas.VERSIONS.size());
    }

    @Test
    void refusesAFileThatIsNotAListOfNamedTypesOrNotAvro() {
        assertThatThrownBy(() -> StoreSchemas.load("avro-test/not-a-list.avsc"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be a list of named types");
        assertThatThrownBy(() -> StoreSchemas.load("avro-test/invalid.avsc"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not a valid Avro schema");
        assertThatThrownBy(() -> StoreSchemas.load("avro-test/missing.avsc"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not on the class path");
    }

    @Test
    void mapsEnumConstantsBySymbolNameWhateverTheSchemasOrder() {
        Schema reversed = SchemaBuilder.enumeration("AccountStatus").namespace("dev.bank.store").symbols("CLOSED", "OPEN");
        AvroEnum<AccountStatus> status = new AvroEnum<>(AccountStatus.class, reversed);
        assertThat(status.index(AccountStatus.OPEN)).isEqualTo(1);
        assertThat(status.index(AccountStatus.CLOSED)).isEqualTo(0);
        assertThat(status.value(new GenericData.EnumSymbol(reversed, "OPEN"))).isEqualTo(AccountStatus.OPEN);
        assertThat(status.value(null)).isNull();
    }

    @Test
    void refusesToWriteAConstantTheWrittenSchemaLacks() {
        // as in the release that reads a new symbol but does not write it yet
        Schema older = SchemaBuilder.enumeration("AccountStatus").namespace("dev.bank.store").symbols("OPEN");
        AvroEnum<AccountStatus> status = new AvroEnum<>(AccountStatus.class, older);
        assertThat(status.index(AccountStatus.OPEN)).isZero();
        assertThatThrownBy(() -> status.index(AccountStatus.CLOSED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CLOSED is not a symbol");
        assertThatThrownBy(() -> new AvroEnum<>(AccountStatus.class, Schema.create(Schema.Type.STRING)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
