package dev.bank.processor.store;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Avro schemas of the state stores' values, every released version of them. Values written with any of them
 * are read, resolved by Avro to the newest; {@link #WRITTEN} is the one the stores write.
 *
 * <p>The schemas live in {@code schemas/src/main/resources/avro/store-vN.avsc}, each a list of every named type
 * (enums, then records). A released version is never edited: a change is a new file, added to {@link #VERSIONS}, and
 * {@code StoreSchemaCompatibilityTest} holds it to Avro's evolution rules against every earlier one, both ways.
 *
 * <p>A reader knows only the schemas it ships with (a value names its writer's schema by fingerprint), so during a
 * rolling upgrade, or after a rollback, an older instance must never meet a value in a schema it lacks. A new version
 * therefore ships in two releases: first readable only (added to {@link #VERSIONS}, {@link #WRITTEN} unchanged),
 * then written. docs/design.md has the procedure.
 */
public final class StoreSchemas {
    /** Every released version's resource, oldest first; the last is written. */
    static final List<String> VERSIONS = List.of("avro/store-v1.avsc", "avro/store-v2.avsc",
            "avro/store-v3.avsc", "avro/store-v4.avsc", "avro/store-v5.avsc");
    /** Which of {@link #VERSIONS} the stores write (0-based): the newest, or the one before it while a new one rolls out. */
    static final int WRITTEN = 4;
    /** The namespace of every stored type. */
    static final String NAMESPACE = "dev.bank.store";

    private static final List<Map<String, Schema>> RELEASED = VERSIONS.stream().map(StoreSchemas::load).toList();

    private StoreSchemas() {}

    /** The newest schema of a stored type, by its simple name ({@code "Account"}). */
    public static Schema latest(String name) {
        return inVersion(RELEASED.size() - 1, name);
    }

    /** The schema of a stored type that the stores write ({@link #WRITTEN}). */
    public static Schema written(String name) {
        return inVersion(WRITTEN, name);
    }

    /** Every released version of a type's schema that has it, oldest first. */
    static List<Schema> released(String name) {
        return RELEASED.stream().map(types -> types.get(NAMESPACE + "." + name)).filter(s -> s != null).toList();
    }

    /** A type's schema as version {@code index} (0-based, in {@link #VERSIONS} order) defines it. */
    static Schema inVersion(int index, String name) {
        Schema schema = RELEASED.get(index).get(NAMESPACE + "." + name);
        if (schema == null) {
            throw new IllegalArgumentException(VERSIONS.get(index) + " defines no type " + name);
        }
        return schema;
    }

    /**
     * Marks every string of a type as read into a {@link String}, as the records hold them (Avro's default is its
     * own {@code Utf8}, which would then be copied into a String once more). A property only: the schema's
     * fingerprint, which covers its parsing canonical form, does not change.
     */
    private static void readStringsAsJavaStrings(Schema schema) {
        switch (schema.getType()) {
            case STRING -> GenericData.setStringType(schema, GenericData.StringType.String);
            case UNION -> schema.getTypes().forEach(StoreSchemas::readStringsAsJavaStrings);
            case RECORD -> schema.getFields().forEach(f -> readStringsAsJavaStrings(f.schema()));
            default -> { }
        }
    }

    /** The named types of one version's file, by full name. */
    static Map<String, Schema> load(String resource) {
        try (InputStream in = StoreSchemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is not on the class path");
            Schema file = new Schema.Parser().parse(in);
            if (file.getType() != Schema.Type.UNION) {
                throw new IllegalStateException(resource + " must be a list of named types");
            }
            file.getTypes().forEach(StoreSchemas::readStringsAsJavaStrings);
            return file.getTypes().stream().collect(Collectors.toUnmodifiableMap(Schema::getFullName, Function.identity()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        } catch (AvroRuntimeException e) { // SchemaParseException, AvroTypeException for an undefined name, ...
            throw new IllegalStateException(resource + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }
}
