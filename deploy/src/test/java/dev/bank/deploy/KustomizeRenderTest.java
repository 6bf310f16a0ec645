package dev.bank.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code kubectl apply -k deploy/k8s} would send: the kustomization rendered by kubectl's own kustomize, read
 * back as strictly as the files. Needs {@code kubectl} on the PATH (the build does not install it): skipped without.
 */
class KustomizeRenderTest {

    @Test
    void theKustomizationRendersIntoTheNamespaceWithTheImageItSets() throws Exception {
        Path k8s = repoRoot().resolve("deploy/k8s");
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", k8s.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            assumeTrue(false, "no kubectl on the PATH");
            return;
        }
        byte[] out = kubectl.getInputStream().readAllBytes();
        String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize: %s", err).isZero();

        KubernetesManifests.Parsed rendered = KubernetesManifests.parse("kubectl kustomize deploy/k8s",
                new String(out, StandardCharsets.UTF_8));
        assertThat(rendered.problems()).isEmpty();
        int files = 0;
        try (var list = Files.list(k8s)) {
            for (Path f : list.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString()
                    .startsWith("kustomization.")).toList()) {
                files += KubernetesManifests.parse(f).documents().size();
            }
        }
        assertThat(rendered.documents()).as("every document, once").hasSize(files);
        for (KubernetesManifests.Document d : rendered.documents()) {
            HasMetadata r = d.resource();
            if (!r.getKind().equals("Namespace")) {
                assertThat(r.getMetadata().getNamespace()).as(d.describe()).isEqualTo("bank");
            }
            for (Container c : containers(r)) {
                assertThat(c.getImage()).as(d.describe()).doesNotEndWith(":latest").contains(":");
            }
        }
    }

    private static List<Container> containers(HasMetadata r) {
        PodTemplateSpec template = r instanceof StatefulSet s ? s.getSpec().getTemplate()
                : r instanceof Deployment d ? d.getSpec().getTemplate()
                : r instanceof Job j ? j.getSpec().getTemplate() : null;
        List<Container> all = new ArrayList<>();
        if (template != null) {
            if (template.getSpec().getInitContainers() != null) all.addAll(template.getSpec().getInitContainers());
            all.addAll(template.getSpec().getContainers());
        }
        return all;
    }

    private static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/k8s"))) return dir;
        }
        throw new IllegalStateException("no deploy/k8s above " + Path.of("").toAbsolutePath());
    }
}
