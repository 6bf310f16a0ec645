package dev.bank.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * That {@link KubernetesManifests} refuses what the API server would refuse or silently misread: a deliberately
 * wrong copy of a small valid manifest must give a problem naming where it is wrong, and the valid one none.
 */
class KubernetesModelTest {

    /** A small StatefulSet in the manifests' style; each case below breaks one line of it. */
    private static final String VALID = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: bank-processor
              labels:
                app.kubernetes.io/name: bank-processor
            spec:
              serviceName: bank-processor
              replicas: 3
              selector:
                matchLabels:
                  app.kubernetes.io/name: bank-processor
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: bank-processor
                spec:
                  enableServiceLinks: false
                  containers:
                    - name: processor
                      image: bank:0.1.0
                      args: ["processor"]
                      ports:
                        - name: query
                          containerPort: 8081
                      env:
                        - name: BANK_QUERY_PORT
                          value: "8081"
                      livenessProbe:
                        httpGet:
                          path: /health/live
                          port: query
                        periodSeconds: 10
                      resources:
                        requests:
                          memory: 2Gi
              volumeClaimTemplates:
                - metadata:
                    name: state
                  spec:
                    accessModes: ["ReadWriteOnce"]
                    resources:
                      requests:
                        storage: 20Gi
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: bank-processor
            spec:
              clusterIP: None
              selector:
                app.kubernetes.io/name: bank-processor
              ports:
                - name: query
                  port: 8081
                  targetPort: query
            """;

    @Test
    void theValidManifestParsesIntoTypedResourcesWithoutProblems() {
        KubernetesManifests.Parsed parsed = KubernetesManifests.parse("valid.yaml", VALID);
        assertThat(parsed.problems()).isEmpty();
        assertThat(parsed.documents()).extracting(d -> d.resource().getClass().getSimpleName())
                .containsExactly("StatefulSet", "Service");
    }

    /**
     * Each row replaces the first line of {@link #VALID} that reads {@code line} (indentation aside) with
     * {@code wrong} at the same indentation ({@code \n} starts another line); the problems found must name the text
     * in the last column (the field, the kind or the value at fault).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            misspelt container field      | livenessProbe:                 | livenesProbe:                  | livenesProbe
            misspelt probe field          | periodSeconds: 10              | periodSecond: 10               | periodSecond
            misspelt pod spec field       | enableServiceLinks: false      | enableServiceLink: false       | enableServiceLink
            field of another kind         | serviceName: bank-processor    | serviceNam: bank-processor     | serviceNam
            misspelt top-level field      | spec:                          | spek:                          | spek
            misspelt field in a claim     | accessModes: ["ReadWriteOnce"] | accessMode: ["ReadWriteOnce"]  | accessMode
            misspelt field in the Service | clusterIP: None                | clusterIp: None                | clusterIp
            misspelt kind                 | kind: StatefulSet              | kind: StatefullSet             | StatefullSet
            wrong API group               | apiVersion: apps/v1            | apiVersion: app/v1             | app/v1
            a string for a port number    | containerPort: 8081            | containerPort: "8081"          | containerPort
            a word for a number           | replicas: 3                    | replicas: three                | replicas
            a string for a boolean        | enableServiceLinks: false      | enableServiceLinks: "false"    | enableServiceLinks
            a number for an env value     | value: "8081"                  | value: 8081                    | value
            a key given twice             | containerPort: 8081            | containerPort: 8081\\ncontainerPort: 8082 | containerPort
            not YAML at all               | serviceName: bank-processor    | serviceName: [bank             | YAML
            """)
    void aWrongLineIsAProblemThatNamesIt(String why, String line, String wrong, String named) {
        List<String> lines = new java.util.ArrayList<>(List.of(VALID.split("\n", -1)));
        int at = -1;
        for (int i = 0; i < lines.size() && at < 0; i++) {
            if (lines.get(i).strip().equals(line)) at = i;
        }
        assertThat(at).as("the line %s is in the valid manifest", line).isNotNegative();
        String indent = lines.get(at).substring(0, lines.get(at).indexOf(line));
        lines.remove(at);
        List<String> replacement = List.of(wrong.split("\\\\n"));
        for (int i = replacement.size() - 1; i >= 0; i--) {
            lines.add(at, indent + replacement.get(i));
        }
        String broken = String.join("\n", lines);
        List<String> problems = KubernetesManifests.parse("broken.yaml", broken).problems();
        assertThat(problems).as(why).isNotEmpty();
        assertThat(String.join("\n", problems)).as(why).contains(named);
    }
}
