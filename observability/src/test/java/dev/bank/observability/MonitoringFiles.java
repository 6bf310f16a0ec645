package dev.bank.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The monitoring files shipped in the repository, read as operators' tools read them: the Prometheus alert rules
 * ({@code observability/prometheus/alerts.yml}) and the Grafana dashboard ({@code
 * observability/grafana/dashboards/bank.json}), with every PromQL expression in them and the metric names and label
 * matchers those use. {@code MonitoringFilesTest} checks the files' structure; the launcher's {@code
 * MonitoringMetricsIT} checks every metric name against a running bank's {@code /metrics}.
 */
public final class MonitoringFiles {
    /** Where the expression comes from ("alert BankTargetDown", "panel 12 'Requests by route', A") and the PromQL. */
    public record Expression(String origin, String promql) {
    }

    /** A metric selector in an expression: the metric's name and the label names it matches on. */
    public record Selector(String metric, Set<String> labels) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** PromQL words that are not metric names where they stand without a following parenthesis. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "offset", "bool", "inf", "nan", "atan2");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*)(\\{|\\()?");
    private static final Pattern LABEL_NAME = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    /** Grafana's variables, each replaced with a value PromQL accepts where Grafana would put one. */
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h");

    private final Path root;
    private final JsonNode alerts;
    private final JsonNode dashboard;

    private MonitoringFiles(Path root) {
        this.root = root;
        try {
            this.alerts = YAML.readTree(alertsFile().toFile());
            this.dashboard = JSON.readTree(dashboardFile().toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The files of the repository this test runs in (found upwards from the working directory). */
    public static MonitoringFiles load() {
        return new MonitoringFiles(repoRoot());
    }

    public static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("observability/prometheus/alerts.yml"))) return dir;
        }
        throw new IllegalStateException("no observability/prometheus/alerts.yml above " + Path.of("").toAbsolutePath());
    }

    public Path root() {
        return root;
    }

    public Path prometheusDir() {
        return root.resolve("observability/prometheus");
    }

    public Path alertsFile() {
        return prometheusDir().resolve("alerts.yml");
    }

    public Path dashboardFile() {
        return root.resolve("observability/grafana/dashboards/bank.json");
    }

    public JsonNode alerts() {
        return alerts;
    }

    public JsonNode dashboard() {
        return dashboard;
    }

    /** Every alerting and recording rule of alerts.yml. */
    public List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        alerts.path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    /** Every panel of the dashboard, those inside collapsed rows too. */
    public List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    /** The expressions of every alert rule, then of every dashboard query. */
    public List<Expression> expressions() {
        List<Expression> expressions = new ArrayList<>();
        for (JsonNode rule : rules()) {
            String name = rule.has("alert") ? "alert " + rule.path("alert").asText() : "record " + rule.path("record").asText();
            expressions.add(new Expression(name, rule.path("expr").asText()));
        }
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(new Expression("panel " + panel.path("id").asText() + " '" + panel.path("title").asText()
                        + "', " + target.path("refId").asText(), target.path("expr").asText()));
            }
        }
        return expressions;
    }

    /** Grafana's variables in a dashboard query replaced with values, so that PromQL tools can read it. */
    public static String withoutGrafanaVariables(String promql) {
        String result = promql;
        for (Map.Entry<String, String> v : GRAFANA_VARIABLES.entrySet()) {
            result = result.replace(v.getKey(), v.getValue());
        }
        return result;
    }

    /**
     * The metric selectors of a PromQL expression: every metric name, with the label names its matchers use (a
     * name used twice with different matchers gives the union). Strings, range and subquery brackets, grouping
     * clauses, function and aggregation names and keywords are not metric names.
     */
    public static List<Selector> selectors(String promql) {
        String text = STRING.matcher(withoutGrafanaVariables(promql)).replaceAll("\"\"");
        text = GROUPING.matcher(text).replaceAll(" ");
        text = text.replaceAll("\\[[^\\]]*\\]", " ");
        Map<String, Set<String>> found = new TreeMap<>();
        Matcher m = IDENTIFIER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            String next = m.group(3);
            if ("(".equals(next) || KEYWORDS.contains(name.toLowerCase())) continue;
            Set<String> labels = found.computeIfAbsent(name, n -> new TreeSet<>());
            if ("{".equals(next)) {
                int close = text.indexOf('}', m.end());
                if (close < 0) throw new IllegalArgumentException("unclosed matcher in " + promql);
                Matcher label = LABEL_NAME.matcher(text.substring(m.end(), close));
                while (label.find()) {
                    labels.add(label.group(1));
                }
                m.region(close + 1, text.length());
            }
        }
        List<Selector> selectors = new ArrayList<>();
        found.forEach((metric, labels) -> selectors.add(new Selector(metric, labels)));
        return selectors;
    }

    /** Every metric name the alerts and the dashboard use, with the label names matched on it and where. */
    public Map<String, List<String>> metricUses() {
        Map<String, List<String>> uses = new TreeMap<>();
        for (Expression e : expressions()) {
            for (Selector s : selectors(e.promql())) {
                uses.computeIfAbsent(s.metric(), k -> new ArrayList<>()).add(e.origin());
            }
        }
        return uses;
    }

    /** For each metric name, the label names any expression matches on it. */
    public Map<String, Set<String>> matchedLabels() {
        Map<String, Set<String>> labels = new LinkedHashMap<>();
        for (Expression e : expressions()) {
            for (Selector s : selectors(e.promql())) {
                labels.computeIfAbsent(s.metric(), k -> new TreeSet<>()).addAll(s.labels());
            }
        }
        return labels;
    }
}
