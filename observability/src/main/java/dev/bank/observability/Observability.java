package dev.bank.observability;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bank.schemas.Problem;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What every service exposes to operators, the same way: {@code GET /metrics} (Prometheus), {@code GET
 * /health/live}, {@code GET /health/ready} (503 with the failing checks until every check passes), and, per HTTP
 * request, a latency histogram by route and status plus one access-log line on the {@code dev.bank.access} logger.
 */
public final class Observability {
    /** Names a readiness check's problem, or returns null when the check passes. */
    @FunctionalInterface
    public interface Check {
        String problem();
    }

    private static final Logger accessLog = LoggerFactory.getLogger("dev.bank.access");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Observability() {}

    /** A Prometheus registry with JVM and process metrics, every meter tagged with the service's name. */
    public static PrometheusMeterRegistry registry(String service) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Adds the metrics and health routes and the per-request histogram and access log to a Javalin app.
     *
     * @param readiness named checks; the service is ready when every one returns null
     */
    public static void install(JavalinConfig config, PrometheusMeterRegistry registry, Map<String, Check> readiness) {
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                .result(registry.scrape()));
        config.routes.get("/health/live", ctx -> health(ctx, Map.of()));
        config.routes.get("/health/ready", ctx -> {
            Map<String, String> failing = new LinkedHashMap<>();
            readiness.forEach((name, check) -> {
                String problem = check.problem();
                if (problem != null) failing.put(name, problem);
            });
            health(ctx, failing);
        });
        config.requestLogger.http((ctx, ms) -> record(registry, ctx, ms));
    }

    private static void health(Context ctx, Map<String, String> failing) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", failing.isEmpty() ? "UP" : "DOWN");
        if (!failing.isEmpty()) {
            body.put("checks", failing);
            ctx.header("Retry-After", "1");
        }
        ctx.status(failing.isEmpty() ? 200 : 503).contentType("application/json").result(JSON.writeValueAsBytes(body));
    }

    private static void record(MeterRegistry registry, Context ctx, Float ms) {
        // the route template, not the raw path, so metrics do not grow with every account id; ctx.endpoint() throws
        // when no route matched (and a throwing request logger turned every 404 into a 500)
        Endpoint matched = ctx.endpoints().lastHttpEndpoint();
        String route = matched != null ? matched.path : "unmatched";
        if (route.startsWith("/metrics") || route.startsWith("/health")) return;
        int status = ctx.statusCode();
        Timer.builder("bank.http.requests")
                .description("HTTP requests by route, method and status")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", String.valueOf(status))
                .tag("outcome", status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS")
                .publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
        // every gateway asks for the partition owners every few seconds: a line each would drown the log
        if (accessLog.isInfoEnabled() && !(status == 200 && route.equals(InternalApi.Paths.PARTITIONS))) {
            accessLog.info("{} {} {} {}ms", ctx.method().name(), Problem.excerpt(ctx.path()), status, tenths(ms));
        }
    }

    /**
     * {@code 12.3}: one decimal without {@link String#format}, which showed in the profile of the gateway's busiest
     * thread (docs/performance.md).
     */
    static String tenths(float ms) {
        long t = Math.round(ms * 10.0);
        return (t / 10) + "." + (t % 10);
    }

}
