package dev.bank.bench;

import dev.bank.schemas.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run's results as a printed table and as a JSON document with the same numbers.
 *
 * @param inProcess true when the bench started its own bank ({@code config} then names what it started); only then
 *                  does the bench process's CPU cover the whole system, so the table shows cpu µs/op only then
 */
public record Report(String runId, Instant startedAt, boolean inProcess, BenchConfig config,
                     List<ScenarioResult> results) {

    private static final String ROW = "%-17s %7s %5s %6s %13s %9s %9s %9s %9s %10s %7s %9s  %s%n";

    public boolean passed() {
        return results.stream().allMatch(ScenarioResult::passed);
    }

    public void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, ROW, "scenario", "N", "conc", "rate", "throughput/s", "p50 ms", "p99 ms",
                "p99.9 ms", "cpu µs/op", "load µs/op", "errors", "vs base", "check");
        for (ScenarioResult r : results) {
            out.printf(Locale.ROOT, ROW, r.scenario().label(), r.n(),
                    r.concurrency() == null ? "-" : r.concurrency(),
                    r.rate() == null ? "-" : r.rate(),
                    String.format(Locale.ROOT, "%.0f", r.throughput()),
                    ms(r.p50Ms()), ms(r.p99Ms()), ms(r.p999Ms()),
                    !inProcess || r.cpuMicrosPerOp() == null ? "-"
                            : String.format(Locale.ROOT, "%.0f", r.cpuMicrosPerOp()),
                    !inProcess || r.loadCpuMicrosPerOp() == null ? "-"
                            : String.format(Locale.ROOT, "%.0f", r.loadCpuMicrosPerOp()),
                    r.errors(),
                    r.ratioToBaseline() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.ratioToBaseline()),
                    r.passed() ? "ok" : "FAILED");
        }
        for (ScenarioResult r : results) {
            r.failures().forEach(f -> out.println("  " + r.scenario().label() + ": " + f));
        }
        for (ScenarioResult r : results) {
            if (r.details() == null) continue;
            out.println();
            r.details().lines().forEach(line -> out.println(r.scenario().label() + ": " + line));
        }
        if (!inProcess) {
            out.println("  cpu µs/op not shown: against an external target the bench's CPU is only the load generator's"
                    + " (see cpuMicrosPerOp in the JSON)");
        }
        out.println();
    }

    public void write(Path file) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("runId", runId);
        doc.put("startedAt", startedAt.toString());
        doc.put("passed", passed());
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("inProcess", inProcess);
        target.put("bootstrapServers", config.bootstrapServers());
        target.put("gatewayUrl", config.gatewayUrl());
        target.put("processorUrl", config.processorUrl());
        if (inProcess) target.put("processors", config.processors());
        if (inProcess) target.put("gateways", config.gateways());
        target.put("commandsTopic", config.topics().commands());
        target.put("resultsTopic", config.topics().results());
        target.put("cpuMicrosPerOpCovers", inProcess ? "the whole in-process bank: broker, processor, gateway and load"
                + " generator" : "the bench process only: load generator (and the streams-floor app), not the target");
        target.put("loadCpuMicrosPerOpCovers", "the load generator's own threads within cpuMicrosPerOp (HTTP client, Kafka"
                + " pipe producer and reader, the sending thread); the bank's share is the difference");
        doc.put("target", target);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("n", config.n());
        settings.put("restN", config.restN());
        settings.put("concurrency", config.concurrency());
        settings.put("rate", config.rate());
        settings.put("accounts", config.accounts());
        settings.put("warmup", config.warmup());
        settings.put("subscribers", config.subscribers());
        settings.put("scenarioTimeout", config.scenarioTimeout().toString());
        doc.put("config", settings);
        doc.put("machine", Map.of("cpus", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.version")));
        doc.put("results", results.stream().map(Report::json).toList());
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.write(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static Map<String, Object> json(ScenarioResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario().label());
        m.put("n", r.n());
        m.put("concurrency", r.concurrency());
        m.put("loop", r.scenario().rest() ? (r.rate() == null ? "closed" : "open") : null);
        m.put("offeredRatePerSec", r.rate());
        m.put("throughputPerSec", round(r.throughput(), 1));
        m.put("p50Ms", round(r.p50Ms(), 3));
        m.put("p99Ms", round(r.p99Ms(), 3));
        m.put("p999Ms", round(r.p999Ms(), 3));
        m.put("maxMs", round(r.maxMs(), 3));
        m.put("errors", r.errors());
        m.put("elapsedMs", r.elapsedMs());
        m.put("cpuMicrosPerOp", r.cpuMicrosPerOp() == null ? null : round(r.cpuMicrosPerOp(), 1));
        m.put("loadCpuMicrosPerOp", r.loadCpuMicrosPerOp() == null ? null : round(r.loadCpuMicrosPerOp(), 1));
        m.put("ratioToBaseline", r.ratioToBaseline() == null ? null : round(r.ratioToBaseline(), 3));
        m.put("passed", r.passed());
        m.put("failures", r.failures());
        if (r.details() != null) m.put("details", r.details().json());
        return m;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
