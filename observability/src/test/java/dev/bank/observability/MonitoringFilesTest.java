package dev.bank.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bank.observability.MonitoringFiles.Selector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules, their unit tests, the Grafana dashboard and its provisioning, read without Prometheus or
 * Grafana: every alert has a severity, a summary, a description and a runbook that docs/operations.md has, and unit
 * tests on both sides of it; the dashboard is well-formed and every query names metrics through its datasource
 * variable; the provisioned datasource is the one the dashboard defaults to. Whether the metric names exist is
 * MonitoringMetricsIT's (launcher) question, asked of a running bank.
 */
class MonitoringFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern DURATION = Pattern.compile("([0-9]+(ms|s|m|h|d|w|y))+");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");

    private static MonitoringFiles files;

    @BeforeAll
    static void load() {
        files = MonitoringFiles.load();
    }

    @Test
    void everyAlertHasASeverityAnnotationsAndARunbookInTheOperationsGuide() throws IOException {
        List<JsonNode> rules = files.rules();
        assertThat(rules).as("alert rules").hasSizeGreaterThanOrEqualTo(10);
        Set<String> anchors = headingAnchors(Files.readString(files.root().resolve("docs/operations.md"),
                StandardCharsets.UTF_8));
        Set<String> names = new HashSet<>();
        for (JsonNode rule : rules) {
            String name = rule.path("alert").asText();
            assertThat(name).as("every rule is an alert named Bank...: %s", rule).matches("Bank[A-Z][A-Za-z]+");
            assertThat(names.add(name)).as("alert %s is defined once", name).isTrue();
            assertThat(rule.path("expr").asText()).as("%s expr", name).isNotBlank();
            assertThat(rule.path("for").asText()).as("%s has a for: duration", name).matches(DURATION);
            assertThat(rule.path("labels").path("severity").asText()).as("%s severity", name).isIn(SEVERITIES);
            JsonNode annotations = rule.path("annotations");
            assertThat(annotations.path("summary").asText()).as("%s summary", name).isNotBlank();
            assertThat(annotations.path("description").asText()).as("%s description", name).isNotBlank();
            String runbook = annotations.path("runbook_url").asText();
            String anchor = name.toLowerCase(Locale.ROOT);
            assertThat(runbook).as("%s runbook_url", name).isEqualTo("docs/operations.md#" + anchor);
            assertThat(anchors).as("docs/operations.md has a heading for %s (its runbook)", name).contains(anchor);
        }
    }

    @Test
    void everyAlertHasUnitTestsThatFireItAndThatMustNot() throws IOException {
        JsonNode tests = YAML.readTree(files.prometheusDir().resolve("alerts.test.yml").toFile());
        assertThat(tests.path("rule_files").get(0).asText()).isEqualTo("alerts.yml");
        Map<String, Integer> firing = new HashMap<>();
        Map<String, Integer> quiet = new HashMap<>();
        for (JsonNode test : tests.path("tests")) {
            for (JsonNode check : test.path("alert_rule_test")) {
                String alert = check.path("alertname").asText();
                Map<String, Integer> counts = check.path("exp_alerts").isEmpty() ? quiet : firing;
                counts.merge(alert, 1, Integer::sum);
            }
        }
        Set<String> alerts = new TreeSet<>();
        files.rules().forEach(r -> alerts.add(r.path("alert").asText()));
        assertThat(alerts).as("alerts with a test in which they fire").allMatch(firing::containsKey);
        assertThat(alerts).as("alerts with a test in which they must not fire").allMatch(quiet::containsKey);
        Set<String> tested = new TreeSet<>(firing.keySet());
        tested.addAll(quiet.keySet());
        assertThat(alerts).as("every alert the tests name exists").containsAll(tested);
    }

    @Test
    void theDashboardIsWellFormedAndEveryQueryGoesThroughItsDatasourceVariable() {
        JsonNode dashboard = files.dashboard();
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        JsonNode variable = null;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) variable = v;
        }
        assertThat(variable).as("a datasource variable").isNotNull();
        assertThat(variable.path("query").asText()).isEqualTo("prometheus");
        String datasourceRef = "${" + variable.path("name").asText() + "}";

        Set<Integer> ids = new HashSet<>();
        List<int[]> cells = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : files.panels()) {
            String title = panel.path("title").asText();
            assertThat(ids.add(panel.path("id").asInt())).as("panel id of '%s' is unique", title).isTrue();
            assertThat(title).as("panel %s has a title", panel.path("id")).isNotBlank();
            JsonNode grid = panel.path("gridPos");
            int x = grid.path("x").asInt(), y = grid.path("y").asInt(), w = grid.path("w").asInt(), h = grid.path("h").asInt();
            assertThat(w).as("'%s' width", title).isPositive();
            assertThat(h).as("'%s' height", title).isPositive();
            assertThat(x + w).as("'%s' fits the 24 columns", title).isLessThanOrEqualTo(24);
            for (int[] other : cells) {
                boolean overlaps = x < other[0] + other[2] && other[0] < x + w && y < other[1] + other[3] && other[1] < y + h;
                assertThat(overlaps).as("'%s' overlaps another panel", title).isFalse();
            }
            cells.add(new int[] {x, y, w, h});
            if (panel.path("type").asText().equals("row")) continue;

            assertThat(panel.path("datasource").path("uid").asText()).as("'%s' datasource", title).isEqualTo(datasourceRef);
            assertThat(panel.path("targets").size()).as("'%s' has queries", title).isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode target : panel.path("targets")) {
                queries++;
                assertThat(refIds.add(target.path("refId").asText())).as("'%s' refIds are unique", title).isTrue();
                assertThat(target.path("datasource").path("uid").asText()).as("'%s' query datasource", title)
                        .isEqualTo(datasourceRef);
                assertThat(MonitoringFiles.selectors(target.path("expr").asText())).as("'%s' %s names a metric",
                        title, target.path("refId").asText()).isNotEmpty();
            }
        }
        assertThat(queries).as("dashboard queries").isGreaterThan(20);
    }

    /** The dashboard shows what the issue asks operators to see, each by the metric the bank exports for it. */
    @Test
    void theDashboardCoversWhatOperatorsWatch() {
        Map<String, List<String>> uses = files.metricUses();
        List<String> dashboardMetrics = new ArrayList<>();
        uses.forEach((metric, where) -> {
            if (where.stream().anyMatch(w -> w.startsWith("panel "))) dashboardMetrics.add(metric);
        });
        assertThat(dashboardMetrics).contains(
                "bank_http_requests_seconds_count",                 // request and error rate by route and status
                "bank_http_requests_seconds_bucket",
                "bank_gateway_command_latency_seconds_bucket",     // request-to-outcome latency percentiles
                "kafka_consumer_fetch_manager_records_lag",        // consumer lag
                "bank_dead_letters_total",                         // dead letters
                "kafka_stream_state_updater_active_restoring_tasks", // restoring
                "kafka_stream_state_updater_standby_updating_tasks", // standby
                "bank_fraud_decisions_total", "bank_fraud_rule_hits_total", // fraud decisions by decision and rule
                "kafka_stream_client_state", "kafka_stream_thread_thread_state", "bank_stream_thread_failures_total",
                "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum");
        // and every metric an alert uses is on the dashboard too, so whoever is paged can see it
        uses.forEach((metric, where) -> {
            if (where.stream().anyMatch(w -> w.startsWith("alert ")) && !metric.equals("up")) {
                assertThat(dashboardMetrics).as("%s (used by %s) is on the dashboard", metric, where).contains(metric);
            }
        });
    }

    @Test
    void grafanaIsProvisionedWithTheDatasourceAndTheFolderOfTheDashboard() throws IOException {
        JsonNode datasources = YAML.readTree(files.root()
                .resolve("observability/grafana/provisioning/datasources/prometheus.yml").toFile());
        JsonNode datasource = datasources.path("datasources").get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        String defaultUid = null;
        for (JsonNode v : files.dashboard().path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) defaultUid = v.path("current").path("value").asText();
        }
        assertThat(datasource.path("uid").asText()).as("the dashboard's default datasource").isEqualTo(defaultUid);

        JsonNode providers = YAML.readTree(files.root()
                .resolve("observability/grafana/provisioning/dashboards/bank.yml").toFile());
        JsonNode provider = providers.path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("options").path("path").asText()).isNotBlank();
    }

    // ------------------------------------------------------------------------------------ the PromQL reading itself

    @Test
    void selectorsAreTheMetricNamesWithTheirMatchedLabels() {
        assertThat(MonitoringFiles.selectors(
                "histogram_quantile(0.99, sum by (le, route) (rate(bank_http_requests_seconds_bucket{service=\"bank-gateway\","
                        + " route!~\"/health.*\"}[$__rate_interval])))"))
                .containsExactly(new Selector("bank_http_requests_seconds_bucket", Set.of("service", "route")));
        assertThat(MonitoringFiles.selectors(
                "(increase(x_total{reason!=\"A\"}[15m]) > 0) or (x_total unless x_total offset 15m) and on (job) up == 0"))
                .containsExactly(new Selector("up", Set.of()), new Selector("x_total", Set.of("reason")));
        assertThat(MonitoringFiles.selectors(
                "count(ALERTS{alertstate=\"firing\", alertname=~\"Bank.*\"}) or vector(0)"))
                .containsExactly(new Selector("ALERTS", Set.of("alertstate", "alertname")));
        // words inside strings, grouping clauses and numbers with exponents are not metrics
        assertThat(MonitoringFiles.selectors(
                "sum without (instance) (rate(a{b=\"c or d\"}[5m])) * 1e3 / ignoring (le) group_left (x) b_total"))
                .extracting(Selector::metric).containsExactly("a", "b_total");
    }

    @Test
    void everyExpressionNamesAtLeastOneMetric() {
        for (MonitoringFiles.Expression e : files.expressions()) {
            assertThat(MonitoringFiles.selectors(e.promql())).as("%s: %s", e.origin(), e.promql()).isNotEmpty();
        }
    }

    /** The anchors GitHub gives headings: lower case, punctuation but hyphens dropped, spaces as hyphens. */
    private static Set<String> headingAnchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$").matcher(markdown);
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'));
        }
        return anchors;
    }
}
