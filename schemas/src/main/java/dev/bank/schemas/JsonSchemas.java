package dev.bank.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas (2020-12) of the wire contract, packaged under {@code /schemas/} in this jar and
 * usable by anyone producing to or consuming from the topics.
 */
public final class JsonSchemas {
    public static final String COMMAND = "command.schema.json";
    public static final String OUTCOME = "outcome.schema.json";
    public static final String LEDGER_ENTRY = "ledger-entry.schema.json";
    public static final String ACCOUNT = "account.schema.json";
    public static final String TRANSFER_LEG = "transfer-leg.schema.json";
    public static final String TRANSFER = "transfer.schema.json";
    public static final String HISTORY_ENTRY = "history-entry.schema.json";
    public static final String HOLD = "hold.schema.json";
    public static final String HOLD_EVENT = "hold-event.schema.json";
    public static final String FX_RATE = "fx-rate.schema.json";
    public static final String ACCOUNT_EVENT = "account-event.schema.json";
    public static final String WEBHOOK_SUBSCRIPTION = "webhook-subscription.schema.json";
    public static final String WEBHOOK_DEAD_LETTER = "webhook-dead-letter.schema.json";
    public static final String WEBHOOK_REPLAY = "webhook-replay.schema.json";

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private JsonSchemas() {}

    public static JsonSchema schema(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = JsonSchemas.class.getResourceAsStream("/schemas/" + n)) {
                if (in == null) throw new IllegalArgumentException("no schema named " + n);
                return FACTORY.getSchema(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The violations of a document against a schema, one readable line each; empty when it is valid. */
    public static List<String> violations(String schemaName, JsonNode document) {
        return schema(schemaName).validate(document).stream().map(ValidationMessage::getMessage).sorted().toList();
    }
}
