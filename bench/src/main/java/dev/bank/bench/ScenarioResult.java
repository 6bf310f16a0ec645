package dev.bank.bench;

import java.util.List;

/**
 * What one scenario measured and whether its self-checks passed.
 *
 * @param concurrency     requests in flight (REST: always in a closed loop, at most in an open one); null for the
 *                        Kafka scenarios, whose producer pipelines freely
 * @param rate            requests/s offered by an open loop (REST); null for a closed loop and the Kafka scenarios
 * @param throughput      completed operations per second, achieved: N / (last completion − first send, or
 *                        request 0's due time in an open loop)
 * @param errors          operations that did not end as expected (failed sends, missing, duplicate or rejected
 *                        outcomes, non-2xx answers, wrong bodies)
 * @param cpuMicrosPerOp  CPU time of the bench process during the timed part / operations completed, in µs;
 *                        the whole system's with the in-process bank, only the load generator's (and the
 *                        streams-floor app's) against an external target; null when unknown or nothing completed
 * @param loadCpuMicrosPerOp the part of {@code cpuMicrosPerOp} the load generator's own threads used (the HTTP
 *                        client, the Kafka pipe's producer and reader, the sending thread): what the bank used is
 *                        the difference; null when unknown or not measured (auth, streams-floor)
 * @param ratioToBaseline throughput / the baseline's throughput in the same run; null without a baseline
 * @param failures        every self-check that failed, in words; empty for a good run
 * @param details         what the scenario measured beyond the row (the fraud scenario's precision, recall and costs);
 *                        null for most
 */
public record ScenarioResult(Scenario scenario, int n, Integer concurrency, Integer rate, double throughput,
                             double p50Ms, double p99Ms, double p999Ms, double maxMs, long errors, long elapsedMs,
                             Double cpuMicrosPerOp, Double loadCpuMicrosPerOp, Double ratioToBaseline,
                             List<String> failures, ScenarioDetails details) {

    public ScenarioResult {
        failures = List.copyOf(failures);
    }

    /**
     * @param cpuNanos  process CPU used by the timed part, -1 when unknown
     * @param completed operations that completed in the timed part (the divisor of {@code cpuMicrosPerOp})
     */
    static ScenarioResult of(Scenario scenario, int n, Integer concurrency, Integer rate, long elapsedNanos,
                             long cpuNanos, long completed, Latencies latencies, long errors, List<String> failures) {
        return of(scenario, n, concurrency, rate, elapsedNanos, cpuNanos, -1, completed, latencies, errors, failures);
    }

    /** As above, with the load generator's own share of the CPU ({@code loadCpuNanos}, -1 when unknown). */
    static ScenarioResult of(Scenario scenario, int n, Integer concurrency, Integer rate, long elapsedNanos,
                             long cpuNanos, long loadCpuNanos, long completed, Latencies latencies, long errors,
                             List<String> failures) {
        double seconds = Math.max(elapsedNanos, 1) / 1e9;
        Double cpuPerOp = cpuNanos < 0 || completed <= 0 ? null : cpuNanos / 1e3 / completed;
        Double loadPerOp = loadCpuNanos < 0 || completed <= 0 ? null : loadCpuNanos / 1e3 / completed;
        return new ScenarioResult(scenario, n, concurrency, rate, n / seconds, latencies.percentileMs(50),
                latencies.percentileMs(99), latencies.percentileMs(99.9), latencies.maxMs(), errors,
                elapsedNanos / 1_000_000, cpuPerOp, loadPerOp, null, failures, null);
    }

    /** A scenario whose set-up failed before anything was timed: every operation counts as an error. */
    static ScenarioResult setupFailed(Scenario scenario, int n, Integer concurrency, Integer rate,
                                      List<String> failures) {
        return of(scenario, n, concurrency, rate, 0, -1, 0, new Latencies(), n, failures);
    }

    public boolean passed() {
        return failures.isEmpty() && errors == 0;
    }

    ScenarioResult withBaseline(ScenarioResult baseline) {
        Double ratio = baseline == null || baseline.throughput() <= 0 ? null : throughput / baseline.throughput();
        return new ScenarioResult(scenario, n, concurrency, rate, throughput, p50Ms, p99Ms, p999Ms, maxMs, errors,
                elapsedMs, cpuMicrosPerOp, loadCpuMicrosPerOp, ratio, failures, details);
    }

    ScenarioResult withDetails(ScenarioDetails more) {
        return new ScenarioResult(scenario, n, concurrency, rate, throughput, p50Ms, p99Ms, p999Ms, maxMs, errors,
                elapsedMs, cpuMicrosPerOp, loadCpuMicrosPerOp, ratioToBaseline, failures, more);
    }
}
