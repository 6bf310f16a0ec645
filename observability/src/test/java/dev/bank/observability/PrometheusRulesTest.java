package dev.bank.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The alert rules and the scrape configuration as Prometheus' own tool reads them: {@code promtool check rules} and
 * {@code promtool test rules} (the unit tests in {@code alerts.test.yml}: every alert fires on some series and stays
 * quiet on others), {@code promtool check config} on {@code prometheus.yml}, and every dashboard query parsed as
 * PromQL by {@code promtool check rules}.
 *
 * <p>promtool comes from Debian's {@code prometheus} package ({@code .ci/install-tools} installs it). Without it on
 * the PATH these tests are skipped, unless {@code BANK_REQUIRE_PROMTOOL=true} (CI sets it), when they fail.
 */
class PrometheusRulesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static MonitoringFiles files;
    private static Path promtool;

    @TempDir
    Path temp;

    @BeforeAll
    static void findPromtool() {
        files = MonitoringFiles.load();
        promtool = onPath("promtool");
        boolean required = "true".equalsIgnoreCase(System.getenv("BANK_REQUIRE_PROMTOOL"));
        if (promtool == null && required) {
            fail("BANK_REQUIRE_PROMTOOL=true but promtool is not on the PATH (" + System.getenv("PATH")
                    + "); install it with `bash .ci/install-tools` (Debian package prometheus)");
        }
    }

    /** Each test, not the class, is skipped: every skipped check is listed with the reason. */
    @BeforeEach
    void needsPromtool() {
        assumeTrue(promtool != null, "promtool is not on the PATH: the alert rules are not checked. Install it with "
                + "`bash .ci/install-tools` (Debian package prometheus); BANK_REQUIRE_PROMTOOL=true makes this a failure");
    }

    @Test
    void theAlertRulesAreValid() throws Exception {
        Result result = promtool(files.prometheusDir(), "check", "rules", "alerts.yml");
        assertThat(result.exit()).as("promtool check rules alerts.yml:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: " + files.rules().size() + " rules found");
    }

    @Test
    void theAlertRulesPassTheirUnitTests() throws Exception {
        Result result = promtool(files.prometheusDir(), "test", "rules", "alerts.test.yml");
        assertThat(result.exit()).as("promtool test rules alerts.test.yml:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    /**
     * The unit tests catch a rule that does not do what they expect: BankConsumerLagHigh's tests pass against the
     * rule as it is and fail against the same rule with a threshold five times too high.
     */
    @Test
    void theUnitTestsFailWhenARuleIsWrong() throws Exception {
        ObjectNode tests = (ObjectNode) YAML.readTree(files.prometheusDir().resolve("alerts.test.yml").toFile());
        ArrayNode lagTests = YAML.createArrayNode();
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                if (check.path("alertname").asText().equals("BankConsumerLagHigh")) {
                    lagTests.add(test);
                    break;
                }
            }
        }
        assertThat(lagTests).as("BankConsumerLagHigh's tests").isNotEmpty();
        tests.set("tests", lagTests);
        YAML.writeValue(temp.resolve("lag.test.yml").toFile(), tests);
        String rules = Files.readString(files.alertsFile(), StandardCharsets.UTF_8);
        Files.writeString(temp.resolve("alerts.yml"), rules, StandardCharsets.UTF_8);

        Result asItIs = promtool(temp, "test", "rules", "lag.test.yml");
        assertThat(asItIs.exit()).as("BankConsumerLagHigh's tests against the rule:%n%s", asItIs.output()).isZero();

        String broken = rules.replace(") > 1000\n", ") > 5000\n");
        assertThat(broken).as("the lag threshold to break").isNotEqualTo(rules);
        Files.writeString(temp.resolve("alerts.yml"), broken, StandardCharsets.UTF_8);
        Result result = promtool(temp, "test", "rules", "lag.test.yml");
        assertThat(result.exit()).as("promtool test rules on a broken rule:%n%s", result.output()).isNotZero();
        assertThat(result.output()).contains("FAILED").contains("BankConsumerLagHigh");
    }

    /** prometheus.yml, with its rule file where compose mounts it replaced by the one in the repository. */
    @Test
    void theScrapeConfigurationIsValid() throws Exception {
        String config = Files.readString(files.prometheusDir().resolve("prometheus.yml"), StandardCharsets.UTF_8);
        String mounted = "/etc/prometheus/alerts.yml";
        assertThat(config).as("prometheus.yml loads the rules where compose mounts them").contains("- " + mounted);
        Path local = temp.resolve("prometheus.yml");
        Files.writeString(local, config.replace(mounted, files.alertsFile().toAbsolutePath().toString()),
                StandardCharsets.UTF_8);

        Result result = promtool(temp, "check", "config", local.toString());
        assertThat(result.exit()).as("promtool check config prometheus.yml:%n%s", result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 1 rule files found");
    }

    /** Every dashboard query is PromQL Prometheus accepts (checked as a recording rule of its own). */
    @Test
    void everyDashboardQueryParses() throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int count = 0;
        for (MonitoringFiles.Expression e : files.expressions()) {
            if (!e.origin().startsWith("panel ")) continue;
            String expr = MonitoringFiles.withoutGrafanaVariables(e.promql());
            assertThat(expr).as("%s uses only the Grafana variables MonitoringFiles knows", e.origin()).doesNotContain("$");
            rules.append("      - record: dashboard:query_").append(count++).append('\n')
                    .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        assertThat(count).as("dashboard queries").isGreaterThan(20);
        Path file = temp.resolve("dashboard-queries.yml");
        Files.writeString(file, rules, StandardCharsets.UTF_8);

        Result result = promtool(temp, "check", "rules", file.getFileName().toString());
        assertThat(result.exit()).as("promtool check rules on the dashboard's %d queries:%n%s", count, result.output())
                .isZero();
        assertThat(result.output()).contains("SUCCESS: " + count + " rules found");
    }

    // ---------------------------------------------------------------------------------------------------------

    private record Result(int exit, String output) {
    }

    private static Result promtool(Path workingDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 2 minutes");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        return null;
    }
}
