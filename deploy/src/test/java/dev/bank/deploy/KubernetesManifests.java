package dev.bank.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes manifests into fabric8's typed Kubernetes model as strictly as the API server would take them:
 * <ul>
 *   <li>every document must be a kind the model knows (an unknown or misspelt {@code kind}/{@code apiVersion}
 *       would come back as a {@link GenericKubernetesResource});</li>
 *   <li>no field the model does not know, at any depth. fabric8 does not refuse those: its model classes keep them
 *       in {@code additionalProperties} (so that a client survives a newer API server), which would let a misspelt
 *       {@code livenesProbe} pass silently, as {@code kubectl apply} without server-side validation would too. So
 *       the whole object tree is walked and every non-empty {@code additionalProperties} is a problem;</li>
 *   <li>no scalar of the wrong type: the API server refuses {@code containerPort: "8081"} or an env {@code value: 1},
 *       while Jackson would coerce them, so those coercions are turned off;</li>
 *   <li>no key twice in one mapping (YAML would keep the last one silently).</li>
 * </ul>
 */
final class KubernetesManifests {

    /** One document of a manifest file: its YAML as written and the typed resource it is. */
    record Document(String file, int index, JsonNode yaml, HasMetadata resource) {
        String describe() {
            return file + " " + resource.getKind() + "/" + resource.getMetadata().getName();
        }
    }

    /** The documents that parsed, and a line for every problem found (empty when the input is clean). */
    record Parsed(List<Document> documents, List<String> problems) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Walking deeper than this is a cycle, not a manifest. */
    private static final int MAX_DEPTH = 64;

    static final KubernetesSerialization MODEL = new KubernetesSerialization(strictMapper(), true);

    private KubernetesManifests() {}

    /**
     * As the API server decodes JSON: no number or boolean for a string. (A string for a number or a boolean gets
     * past fabric8's Go-compatibility module whatever the mapper says, so {@link #quotedScalars} finds those.)
     */
    private static JsonMapper strictMapper() {
        return JsonMapper.builder()
                .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .build();
    }

    static Parsed parse(Path file) throws IOException {
        return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Every document of {@code text} (a multi-document YAML file named {@code name}) into the typed model. */
    static Parsed parse(String name, String text) {
        List<Document> documents = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<JsonNode> nodes = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                nodes.add(it.nextValue());
            }
        } catch (IOException | RuntimeException e) {
            problems.add(name + ": not valid YAML: " + e.getMessage());
            return new Parsed(documents, problems);
        }
        int index = 0;
        for (JsonNode node : nodes) {
            index++;
            if (node == null || node.isNull() || node.isMissingNode()) continue; // an empty document (a trailing ---)
            String where = name + " document " + index;
            if (!node.isObject()) {
                problems.add(where + ": not a mapping");
                continue;
            }
            Object parsed;
            try {
                parsed = MODEL.unmarshal(JSON.writeValueAsString(node));
            } catch (IOException | RuntimeException e) {
                problems.add(where + " (" + node.path("kind").asText("?") + "): does not fit the Kubernetes model: "
                        + messages(e));
                continue;
            }
            if (parsed instanceof GenericKubernetesResource generic) {
                problems.add(where + ": unknown kind " + generic.getApiVersion() + " " + generic.getKind());
                continue;
            }
            if (!(parsed instanceof HasMetadata resource) || resource.getMetadata() == null
                    || resource.getMetadata().getName() == null) {
                problems.add(where + ": not a named Kubernetes resource");
                continue;
            }
            String path = name + " " + resource.getKind() + "/" + resource.getMetadata().getName();
            walk(resource, path, problems, 0);
            try {
                quotedScalars(node, JSON.readTree(MODEL.asJson(resource)), path, problems);
            } catch (IOException e) {
                problems.add(path + ": cannot be written back: " + e.getMessage());
            }
            documents.add(new Document(name, index, node, resource));
        }
        return new Parsed(documents, problems);
    }

    /** The messages of an exception and its causes (fabric8 wraps Jackson's, which says where). */
    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && all.indexOf(t.getMessage()) < 0) {
                all.append(all.isEmpty() ? "" : ": ").append(t.getMessage().replace('\n', ' '));
            }
        }
        return all.toString();
    }

    /**
     * Compares what was written with the typed resource written back: a value written as a string that the model
     * holds as a number or a boolean ({@code containerPort: "8081"}, {@code readOnly: "true"}) is one the API server
     * refuses. (The other way round is fine where the model says so: {@code cpu: 1} is a quantity, {@code port: 8080}
     * of an int-or-string.)
     */
    private static void quotedScalars(JsonNode written, JsonNode typed, String path, List<String> problems) {
        if (written.isObject() && typed.isObject()) {
            written.fields().forEachRemaining(e -> {
                JsonNode back = typed.get(e.getKey());
                if (back != null) quotedScalars(e.getValue(), back, path + "." + e.getKey(), problems);
            });
        } else if (written.isArray() && typed.isArray() && written.size() == typed.size()) {
            for (int i = 0; i < written.size(); i++) {
                quotedScalars(written.get(i), typed.get(i), path + "[" + i + "]", problems);
            }
        } else if (written.isTextual() && (typed.isNumber() || typed.isBoolean())) {
            problems.add(path + ": \"" + written.asText() + "\" is a string, but the field is a "
                    + (typed.isNumber() ? "number" : "boolean") + " (write it without quotes)");
        }
    }

    /** Reports every non-empty {@code additionalProperties} in the object tree below {@code o}. */
    private static void walk(Object o, String path, List<String> problems, int depth) {
        if (o == null) return;
        if (depth > MAX_DEPTH) {
            problems.add(path + ": nested deeper than " + MAX_DEPTH);
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, problems, depth + 1));
            return;
        }
        if (o instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", problems, depth + 1);
            }
            return;
        }
        Class<?> type = o.getClass();
        if (!type.getName().startsWith("io.fabric8.") || type.isEnum()) return; // a String, a number, ...
        for (Method getter : type.getMethods()) {
            String name = getter.getName();
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class || !name.startsWith("get") || name.length() == 3) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue; // not a property
            }
            if (name.equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet() + " (misspelt, or not in this kind)");
                }
                continue;
            }
            walk(value, path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), problems, depth + 1);
        }
    }
}
