package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bank.schemas.Json;
import io.javalin.http.Context;
import org.webjars.WebJarVersionLocator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The API description, served by the gateway it describes: the OpenAPI document as written
 * ({@code schemas/src/main/resources/openapi/bank-api.yaml}, {@code GET /openapi.yaml}), the same as JSON
 * ({@code GET /openapi.json}), and a browsable page ({@code GET /docs}, Swagger UI from its webjar). Read once at
 * start; public, like health (a client needs it before it has a token).
 */
final class ApiDescription {
    static final String YAML_PATH = "/openapi.yaml";
    static final String JSON_PATH = "/openapi.json";
    static final String PAGE_PATH = "/docs";
    static final String PAGE_SCRIPT_PATH = "/docs/init.js";
    /** Only this origin's scripts; Swagger UI sets inline styles and shows data: images. */
    private static final String PAGE_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; frame-ancestors 'none'";

    private final byte[] yaml;
    private final byte[] json;
    private final byte[] page;
    private final byte[] pageScript;

    ApiDescription() {
        this.yaml = resource("/openapi/bank-api.yaml");
        try {
            this.json = Json.MAPPER.writeValueAsBytes(new ObjectMapper(new YAMLFactory()).readTree(yaml));
        } catch (IOException e) {
            throw new UncheckedIOException("the packaged OpenAPI document is not YAML", e);
        }
        String ui = "/webjars/swagger-ui/" + new WebJarVersionLocator().version("swagger-ui");
        this.page = new String(resource("/api-docs/index.html"), StandardCharsets.UTF_8)
                .replace("{{ui}}", ui).getBytes(StandardCharsets.UTF_8);
        this.pageScript = new String(resource("/api-docs/init.js"), StandardCharsets.UTF_8)
                .replace("{{spec}}", JSON_PATH).getBytes(StandardCharsets.UTF_8);
    }

    void yaml(Context ctx) {
        ctx.contentType("application/yaml").result(yaml);
    }

    void json(Context ctx) {
        ctx.contentType("application/json").result(json);
    }

    void page(Context ctx) {
        ctx.header("Content-Security-Policy", PAGE_POLICY).contentType("text/html; charset=utf-8").result(page);
    }

    void pageScript(Context ctx) {
        ctx.contentType("text/javascript; charset=utf-8").result(pageScript);
    }

    private static byte[] resource(String name) {
        try (InputStream in = ApiDescription.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
