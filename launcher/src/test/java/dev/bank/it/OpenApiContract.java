package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import dev.bank.schemas.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The gateway's OpenAPI document as a test oracle: which operation a request is, whether the status and content type
 * it was answered with are documented for that operation, and whether the body fits the documented schema. The
 * schemas are validated by networknt's JSON Schema validator with the OpenAPI 3.1 dialect, loaded from the document
 * itself (a JSON pointer to the response's schema, with every {@code $ref} resolved in the document), so nothing of
 * the contract is restated here.
 */
final class OpenApiContract {
    private static final String DOCUMENT = "https://bank.example/openapi.json";

    /** A documented operation: its method and path template as the document spells them. */
    record Operation(String method, String template) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + template;
        }
    }

    private final JsonNode document;
    private final JsonSchemaFactory factory;
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final Map<Pattern, String> templates = new java.util.LinkedHashMap<>();
    private final Set<String> answered = new TreeSet<>();

    OpenApiContract() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi/bank-api.yaml")) {
            if (in == null) throw new IllegalStateException("bank-api.yaml is not on the classpath");
            document = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String json = Json.MAPPER.valueToTree(document).toString();
        factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, builder -> builder
                .metaSchema(OpenApi31.getInstance())
                .defaultMetaSchemaIri(OpenApi31.getInstance().getIri())
                .schemaLoaders(loaders -> loaders.schemas(Map.of(DOCUMENT, json))));
        for (Iterator<String> paths = document.path("paths").fieldNames(); paths.hasNext(); ) {
            String template = paths.next();
            templates.put(Pattern.compile(template.replaceAll("\\{[^/]+}", "[^/]+")), template);
        }
    }

    /** Every operation the document describes, as {@code METHOD /template}. */
    Set<String> operations() {
        Set<String> all = new TreeSet<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> all.add(new Operation(method, path.getKey()).toString())));
        return all;
    }

    /** The operations answered with a 2xx so far, as {@code METHOD /template}. */
    Set<String> answeredWithSuccess() {
        return new TreeSet<>(answered);
    }

    /**
     * The ways this answer breaks the document: an undocumented operation, status or content type, or a body the
     * documented schema refuses. Empty when the answer is as documented.
     */
    List<String> violations(String method, String path, int status, String contentType, String body) {
        String rawPath = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        Operation operation = operation(method, rawPath);
        if (operation == null) return List.of(method + " " + rawPath + " is no documented operation");
        JsonNode responses = document.path("paths").path(operation.template()).path(operation.method()).path("responses");
        String code = String.valueOf(status);
        String responsePointer = "/paths/" + escape(operation.template()) + "/" + operation.method() + "/responses/";
        JsonNode response = responses.get(code);
        if (response == null) {
            code = status / 100 + "XX";
            response = responses.get(code);
        }
        if (response == null) {
            code = "default";
            response = responses.get(code);
        }
        if (response == null) return List.of(operation + " does not document status " + status);
        responsePointer += code;
        if (response.has("$ref")) {
            responsePointer = response.get("$ref").asText().substring(1);
            response = document.at(responsePointer);
        }
        if (status / 100 == 2) answered.add(operation.toString());
        JsonNode content = response.path("content");
        if (content.isMissingNode() || content.isEmpty()) {
            return body == null || body.isEmpty() ? List.of()
                    : List.of(operation + " " + status + " documents no body but one came: " + excerpt(body));
        }
        String mediaType = contentType == null ? "" : contentType.split(";")[0].trim();
        if (!content.has(mediaType)) {
            return List.of(operation + " " + status + " documents " + names(content) + ", answered " + contentType);
        }
        JsonNode schemaNode = content.path(mediaType).path("schema");
        if (schemaNode.isMissingNode() || !mediaType.contains("json")) return List.of();
        String pointer = responsePointer + "/content/" + escape(mediaType) + "/schema";
        JsonNode instance;
        try {
            instance = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return List.of(operation + " " + status + " answered " + mediaType + " that is not JSON: " + excerpt(body));
        }
        List<String> problems = new ArrayList<>();
        for (ValidationMessage m : schema(pointer).validate(instance)) {
            problems.add(operation + " " + status + ": " + m.getMessage() + " in " + excerpt(body));
        }
        return problems;
    }

    private JsonSchema schema(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> factory.getSchema(SchemaLocation.of(DOCUMENT + "#" + p)));
    }

    private Operation operation(String method, String path) {
        String m = method.toLowerCase();
        // a literal path wins over a template that also matches it
        if (document.path("paths").path(path).has(m)) return new Operation(m, path);
        for (Map.Entry<Pattern, String> t : templates.entrySet()) {
            if (t.getKey().matcher(path).matches() && document.path("paths").path(t.getValue()).has(m)) {
                return new Operation(m, t.getValue());
            }
        }
        return null;
    }

    /** A JSON pointer's escaping of one reference token (RFC 6901). */
    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    private static String excerpt(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }
}
