package dev.bank.it;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code ip} and {@code tc} commands (iproute2) the namespaced test cluster is built and broken with, and the
 * removal of what an earlier run of it left behind. Everything it makes is named {@code bkt<pid>…}: {@code bkt}, then
 * the pid of the test JVM that made it, so a run removes only its own things, and the leftovers of a run whose JVM is
 * gone (killed before its clean-up ran), never those of another run still going.
 */
final class Netns {
    private static final Logger log = LoggerFactory.getLogger(Netns.class);
    /** What every name this test makes begins with. */
    static final String FAMILY = "bkt";
    private static final Pattern OWNED = Pattern.compile("^" + FAMILY + "(\\d+)(.*)$");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    private Netns() {}

    /** The prefix of everything this JVM makes. */
    static String prefix() {
        return FAMILY + ProcessHandle.current().pid();
    }

    /** A temporary directory of this JVM's, removed by {@link #removeTree} or a later run's {@link #removeStale}. */
    static Path tempDir() {
        try {
            return Files.createTempDirectory(TMP, prefix() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Why namespaces cannot be used here (not root, no {@code ip}, no netns support), or null when they can: tried by
     * making a namespace and removing it.
     */
    static String unavailable() {
        String probe = prefix() + "-probe";
        try {
            Result r = exec("ip", "netns", "add", probe);
            if (r.status != 0) return "ip netns add: " + r.output.trim() + " (needs root and iproute2)";
            exec("ip", "netns", "del", probe);
            Result tc = exec("tc", "-V");
            if (tc.status != 0) return "tc (iproute2) not found";
            return null;
        } catch (UncheckedIOException e) {
            return "cannot run ip: " + e.getCause();
        }
    }

    /** Runs {@code ip …} (or tc), failing with its output when it fails. */
    static String run(String... command) {
        Result r = exec(command);
        if (r.status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.status + "): " + r.output.trim());
        }
        return r.output;
    }

    /** Runs it, logging a failure instead of throwing (for clean-up, which carries on). */
    static void quietly(String... command) {
        Result r = exec(command);
        if (r.status != 0) log.debug("{} failed ({}): {}", String.join(" ", command), r.status, r.output.trim());
    }

    record Result(int status, String output) {}

    static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + " (timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Removes everything of the family whose maker is no longer running: the processes inside its namespaces (a
     * killed test JVM leaves its nodes running), the namespaces, bridges and veths, and its temporary directories.
     */
    static void removeStale() {
        List<String> namespaces = new ArrayList<>();
        for (String line : exec("ip", "netns", "list").output.split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (stale(name)) namespaces.add(name);
        }
        for (String ns : namespaces) {
            killAllIn(ns);
            quietly("ip", "netns", "del", ns);
        }
        for (String line : exec("ip", "-o", "link", "show").output.split("\n")) {
            // "12: bkt123br: <BROADCAST…" or "13: bkt123v1@if2: …"
            String[] parts = line.split(":\\s+", 3);
            if (parts.length < 2) continue;
            String name = parts[1].split("@")[0];
            if (stale(name)) quietly("ip", "link", "del", name);
        }
        try (Stream<Path> dirs = Files.list(TMP)) {
            dirs.filter(d -> stale(d.getFileName().toString())).forEach(Netns::removeTree);
        } catch (IOException e) {
            log.warn("cannot list {}: {}", TMP, e.toString());
        }
        if (!namespaces.isEmpty()) log.info("removed stale test namespaces of earlier runs: {}", namespaces);
    }

    /** SIGKILLs every process in a namespace. */
    static void killAllIn(String namespace) {
        for (String pid : exec("ip", "netns", "pids", namespace).output.split("\\s+")) {
            if (pid.isBlank()) continue;
            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static boolean stale(String name) {
        Matcher m = OWNED.matcher(name);
        if (!m.matches()) return false;
        long pid = Long.parseLong(m.group(1));
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    static void removeTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", dir, e.toString());
        }
    }
}
