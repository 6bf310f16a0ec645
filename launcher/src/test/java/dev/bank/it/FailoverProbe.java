package dev.bank.it;

import org.apache.kafka.common.utils.Utils;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Read load for failover measurements and tests: asks for a set of accounts over and over (every {@code every}, all at
 * once) and keeps, per partition of the accounts, when each answer came and whether it was a 200. Like the gateway,
 * each question goes to the first base URL and on anything but a 200 to the next ones. From the record it computes
 * per-partition unavailability: outages (from the last good answer before failures to the first good one after them),
 * the longest gap in a window, and when a partition answered again after an event.
 */
public final class FailoverProbe implements AutoCloseable {
    /** One question: when it was asked (ms since the probe started), to which partition, answered 200 or not. */
    public record Sample(long atMs, int partition, boolean ok, int status, String detail) {
    }

    /** A status and, for a failure, what the last instance asked said (the problem's detail) or the error. */
    private record Answer(int status, String detail) {
    }

    private final List<String> baseUrls;
    private final IntFunction<String> pathOf;
    private final List<String> accounts;
    private final Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
    private final String token;
    private final Duration every;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final Thread loop;
    private volatile boolean running = true;

    /**
     * @param pathOf     the path asked for account {@code i} of {@code accounts}
     * @param partitions the commands topic's partition count (accounts are keyed by id with Kafka's partitioner)
     */
    public FailoverProbe(List<String> baseUrls, List<String> accounts, IntFunction<String> pathOf, int partitions,
                         String token, Duration every) {
        this.baseUrls = List.copyOf(baseUrls);
        this.accounts = List.copyOf(accounts);
        this.pathOf = pathOf;
        this.token = token;
        this.every = every;
        accounts.forEach(a -> partitionOf.put(a, partitionOf(a, partitions)));
        this.loop = new Thread(this::run, "failover-probe");
        loop.setDaemon(true);
    }

    public FailoverProbe start() {
        loop.start();
        return this;
    }

    /** The partition Kafka's default partitioner gives a record keyed by this account id. */
    public static int partitionOf(String accountId, int partitions) {
        return Utils.toPositive(Utils.murmur2(accountId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** {@code perPartition} account ids {@code prefix-N} for each of the partitions, in partition order. */
    public static List<String> accountsOnEveryPartition(String prefix, int partitions, int perPartition) {
        Map<Integer, List<String>> found = new TreeMap<>();
        for (int i = 0; found.values().stream().mapToInt(List::size).sum() < partitions * perPartition; i++) {
            String id = prefix + "-" + i;
            List<String> bucket = found.computeIfAbsent(partitionOf(id, partitions), p -> new ArrayList<>());
            if (bucket.size() < perPartition) bucket.add(id);
        }
        return found.values().stream().flatMap(List::stream).toList();
    }

    /** Milliseconds since this probe was made: the time base of every {@link Sample} and event. */
    public long nowMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void run() {
        while (running) {
            long began = System.nanoTime();
            List<CompletableFuture<?>> round = new ArrayList<>();
            for (int i = 0; i < accounts.size(); i++) {
                String account = accounts.get(i);
                long askedAt = nowMs();
                String path = pathOf.apply(i);
                round.add(ask(0, path).thenAccept(answer -> samples.add(new Sample(askedAt, partitionOf.get(account),
                        answer.status() == 200, answer.status(), answer.detail()))));
            }
            try {
                CompletableFuture.allOf(round.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // an unanswered round is recorded as failures by the questions themselves (time-outs)
            }
            long left = every.toNanos() - (System.nanoTime() - began);
            if (left > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The answer of the first base URL that answered 200, else the last one's (status 0: no answer at all). */
    private CompletableFuture<Answer> ask(int index, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrls.get(index) + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(3)).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> response == null ? new Answer(0, String.valueOf(error))
                        : new Answer(response.statusCode(),
                                response.statusCode() == 200 ? "" : detail(response.body())))
                .thenCompose(answer -> answer.status() == 200 || index + 1 >= baseUrls.size()
                        ? CompletableFuture.completedFuture(answer) : ask(index + 1, path));
    }

    private static String detail(String body) {
        int at = body.indexOf("\"detail\"");
        String text = at < 0 ? body : body.substring(at);
        return text.length() > 160 ? text.substring(0, 160) : text;
    }

    public List<Sample> samples() {
        return samples.stream().sorted(java.util.Comparator.comparingLong(Sample::atMs)).toList();
    }

    /**
     * The outages of each partition: {@code [lastGoodBefore, firstGoodAfter]} around every run of failed questions;
     * a run not yet over ends at the last question asked.
     */
    public Map<Integer, List<long[]>> outages() {
        Map<Integer, List<long[]>> result = new TreeMap<>();
        Map<Integer, List<Sample>> byPartition = new TreeMap<>();
        for (Sample s : samples()) byPartition.computeIfAbsent(s.partition(), p -> new ArrayList<>()).add(s);
        byPartition.forEach((partition, list) -> {
            // several accounts share a partition: a moment counts as good when any answered 200 then
            List<long[]> found = new ArrayList<>();
            Long lastGood = null;
            Long failingSince = null;
            for (Sample s : list) {
                if (s.ok()) {
                    if (failingSince != null) {
                        found.add(new long[] {lastGood == null ? failingSince : lastGood, s.atMs()});
                        failingSince = null;
                    }
                    lastGood = s.atMs();
                } else if (failingSince == null) {
                    failingSince = s.atMs();
                }
            }
            if (failingSince != null) {
                found.add(new long[] {lastGood == null ? failingSince : lastGood, list.get(list.size() - 1).atMs()});
            }
            result.put(partition, found);
        });
        return result;
    }

    /** The longest outage of these partitions overlapping {@code [fromMs, toMs]} (0: none). */
    public long longestGap(Collection<Integer> partitions, long fromMs, long toMs) {
        long longest = 0;
        for (var entry : outages().entrySet()) {
            if (!partitions.contains(entry.getKey())) continue;
            for (long[] o : entry.getValue()) {
                if (o[1] >= fromMs && o[0] <= toMs) longest = Math.max(longest, o[1] - o[0]);
            }
        }
        return longest;
    }

    /**
     * When the last of these partitions answered again after an outage that began after {@code eventMs} (the end of
     * each one's first such outage); -1 when none had an outage.
     */
    public long allAnsweringAgain(Collection<Integer> partitions, long eventMs) {
        long last = -1;
        for (var entry : outages().entrySet()) {
            if (!partitions.contains(entry.getKey())) continue;
            for (long[] o : entry.getValue()) {
                if (o[1] > eventMs) {
                    last = Math.max(last, o[1]);
                    break;
                }
            }
        }
        return last;
    }

    /** The first time at or after {@code fromMs} at which every one of these partitions had answered 200 since. */
    public long firstAllGood(Collection<Integer> partitions, long fromMs) {
        Map<Integer, Long> first = new TreeMap<>();
        for (Sample s : samples()) {
            if (s.ok() && s.atMs() >= fromMs && partitions.contains(s.partition())) {
                first.putIfAbsent(s.partition(), s.atMs());
            }
        }
        if (!first.keySet().containsAll(partitions)) return -1;
        return first.values().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /**
     * For a failure message: every outage of these partitions overlapping {@code [fromMs, toMs]}, with the questions
     * asked during it (time, partition, status; 0 is no answer within the time-out).
     */
    public String describeOutages(Collection<Integer> partitions, long fromMs, long toMs) {
        StringBuilder text = new StringBuilder();
        outages().forEach((partition, list) -> {
            if (!partitions.contains(partition)) return;
            for (long[] o : list) {
                if (o[1] < fromMs || o[0] > toMs) continue;
                text.append("\npartition ").append(partition).append(": ").append(o[0]).append("..").append(o[1])
                        .append(" ms (from ").append(java.time.Instant.ofEpochMilli(startMillis + o[0])).append("):");
                samples().stream().filter(s -> s.partition() == partition && s.atMs() >= o[0] && s.atMs() <= o[1])
                        .forEach(s -> text.append(' ').append(s.atMs()).append('=').append(s.status())
                                .append(s.ok() ? "" : " (" + s.detail() + ")"));
            }
        });
        return text.toString();
    }

    /** Waits until a round of questions asked from now on has been answered (at most 15 s). */
    public void awaitNextRound() throws InterruptedException {
        long from = nowMs();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < until) {
            long answered = samples.stream().filter(s -> s.atMs() >= from).count();
            if (answered >= accounts.size()) return;
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** Answers by status code, for the log. */
    public Map<Integer, Long> statuses() {
        Map<Integer, Long> counts = new TreeMap<>();
        samples.forEach(s -> counts.merge(s.status(), 1L, Long::sum));
        return counts;
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
