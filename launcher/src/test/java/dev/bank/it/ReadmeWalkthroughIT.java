package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.Scope;
import dev.bank.processor.ProcessorApp;
import dev.bank.schemas.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the curl commands of the README's walk-through, as written there, against the real system and checks
 * every documented answer (status line, named headers, body), so the front door cannot drift from the product.
 * Only the host is swapped for the test gateway's, and timestamps are not compared.
 */
class ReadmeWalkthroughIT {

    /** One curl command of the README and the answer documented under it. */
    record Step(String method, String path, List<String[]> headers, String body, Integer expectedStatus,
                List<String[]> expectedHeaders, String expectedBody) {
    }

    @TempDir
    Path stateDir;

    @Test
    void theReadmeWalkThroughAnswersExactlyAsDocumented() throws Exception {
        // the tokens ./bank local prints, as the walk-through's `export ALICE=...` and `export ADMIN=...` set them
        Map<String, String> shell = Map.of("ALICE", BankStack.token("alice", Scope.READ, Scope.WRITE),
                "ADMIN", BankStack.token("admin", Scope.READ, Scope.WRITE, Scope.ADMIN));
        List<Step> steps = parse(Files.readString(readme()), shell);
        assertThat(steps).as("the walk-through has its curl commands").hasSizeGreaterThanOrEqualTo(13);
        try (BankSystem bank = BankSystem.start(stateDir)) {
            GatewayApp gateway = bank.gateway();
            HttpClient client = HttpClient.newHttpClient();
            for (Step step : steps) {
                HttpRequest.Builder request = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + gateway.port() + step.path()))
                        .timeout(Duration.ofSeconds(30))
                        .method(step.method(), step.body() == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(step.body()));
                step.headers().forEach(h -> request.header(h[0], h[1]));
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                String what = step.method() + " " + step.path() + " " + step.body();
                if (step.expectedStatus() != null) {
                    assertThat(response.statusCode()).as(what).isEqualTo(step.expectedStatus());
                } else {
                    assertThat(response.statusCode()).as(what).isBetween(200, 299);
                }
                for (String[] h : step.expectedHeaders()) {
                    assertThat(response.headers().firstValue(h[0])).as(what + " header " + h[0]).hasValue(h[1]);
                }
                assertThat(comparable(response.body())).as(what).isEqualTo(comparable(step.expectedBody()));
            }
        }
    }

    private static JsonNode comparable(String json) throws Exception {
        JsonNode node = Json.MAPPER.readTree(json);
        if (node instanceof ObjectNode object) {
            for (String timestamp : List.of("openedAt", "createdAt", "completedAt", "validUntil", "deadline",
                    "decidedAt")) {
                if (object.has(timestamp)) object.put(timestamp, "<timestamp>");
            }
        }
        return node;
    }

    private static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) dir = dir.getParent();
        assertThat(dir).as("README.md above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir.resolve("README.md");
    }

    /** The curl commands of the bash blocks under "## Walk-through", with the answers in the comments. */
    static List<Step> parse(String readme, Map<String, String> shell) {
        String section = readme.substring(readme.indexOf("## Walk-through"));
        section = section.substring(0, section.indexOf("\n## ", 1));
        StringBuilder blocks = new StringBuilder();
        for (int at = section.indexOf("```bash"); at >= 0; at = section.indexOf("```bash", at)) {
            int end = section.indexOf("```", at + 7);
            blocks.append(section, at + 7, end).append('\n');
            at = end + 3;
        }
        List<Step> steps = new ArrayList<>();
        String[] lines = blocks.toString().split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("curl ")) continue;
            StringBuilder command = new StringBuilder();
            while (lines[i].endsWith("\\")) {
                command.append(lines[i], 0, lines[i].length() - 1).append(' ');
                i++;
            }
            command.append(lines[i]);
            List<String> answer = new ArrayList<>();
            while (i + 1 < lines.length && lines[i + 1].startsWith("# ")) answer.add(lines[++i].substring(2));
            steps.add(step(tokens(command.toString(), shell), answer));
        }
        return steps;
    }

    private static Step step(List<String> args, List<String> answer) {
        String method = "GET";
        String body = null;
        String url = null;
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < args.size(); i++) {
            switch (args.get(i)) {
                case "-s", "-i" -> { }
                case "-w" -> i++;
                case "-X" -> method = args.get(++i);
                case "-H" -> headers.add(args.get(++i).split(":\\s*", 2));
                case "-d" -> body = args.get(++i);
                default -> url = args.get(i);
            }
        }
        String path = url.substring(url.indexOf('/'));
        Integer status = null;
        List<String[]> expectedHeaders = new ArrayList<>();
        if (answer.get(0).startsWith("HTTP/")) {
            status = Integer.parseInt(answer.get(0).split(" ")[1]);
            for (String line : answer.subList(1, answer.size() - 1)) expectedHeaders.add(line.split(":\\s*", 2));
        }
        return new Step(method, path, headers, body, status, expectedHeaders, answer.get(answer.size() - 1));
    }

    /**
     * Splits a shell command line into words as bash does for what the README uses: single quotes (literal), double
     * quotes (with {@code $NAME} replaced from {@code shell}).
     */
    private static List<String> tokens(String command, Map<String, String> shell) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean doubleQuoted = false;
        boolean inWord = false;
        char[] chars = command.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c == '\'' && !doubleQuoted) {
                quoted = !quoted;
                inWord = true;
            } else if (c == '"' && !quoted) {
                doubleQuoted = !doubleQuoted;
                inWord = true;
            } else if (c == '$' && !quoted) {
                int end = i + 1;
                while (end < chars.length && (Character.isLetterOrDigit(chars[end]) || chars[end] == '_')) end++;
                String name = command.substring(i + 1, end);
                assertThat(shell).as("the walk-through's $" + name).containsKey(name);
                word.append(shell.get(name));
                inWord = true;
                i = end - 1;
            } else if (Character.isWhitespace(c) && !quoted && !doubleQuoted) {
                if (inWord) words.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(word.toString());
        return words;
    }
}
