package dev.bank.gateway.events;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import dev.bank.schemas.AccountEventType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The merge of the processors' pages with the live feed ({@link EventCursor}) against a simulated account: events
 * committed one by one, the processors keeping only the most recent {@code keep} of them, the live feed handing them
 * on late, twice, or not at all (a feed that started after them, a record it could not read), fetches answered late
 * (with what the processors know by then), in small pages, or failing. Whatever the interleaving, the client gets
 * exactly the sequences after its start, in order, each once, each the event committed under it, up to the newest;
 * and a reset, which covers exactly the sequences lost, only when the processors no longer kept them.
 */
class EventCursorTest {
    private static final String ACCOUNT = "acct";

    /** What the simulation does next. */
    enum Action { COMMIT, PUBLISH, ANSWER, DUPLICATE, LOSE, FAIL }

    @Property(tries = 2000)
    void theClientGetsEverySequenceAfterItsStartOnceInOrder(
            @ForAll @IntRange(min = 0, max = 40) int total,
            @ForAll @IntRange(min = 1, max = 50) int keep,
            @ForAll @IntRange(min = 0, max = 40) int committedAtConnect,
            @ForAll @IntRange(min = -1, max = 40) int startChoice,
            @ForAll @IntRange(min = 1, max = 12) int pageSize,
            @ForAll("actions") List<Action> actions,
            @ForAll long seed) {
        Simulation sim = new Simulation(total, keep, Math.min(committedAtConnect, total), pageSize, new Random(seed));
        // a client without Last-Event-ID (-1), or one resuming after a sequence it can have seen
        Long after = startChoice < 0 ? null : (long) Math.min(startChoice, sim.committed);
        EventCursor cursor = after == null ? EventCursor.newOnly() : EventCursor.after(after);
        sim.request(cursor);
        for (Action action : actions) sim.apply(action, cursor);
        sim.finish(cursor);

        long start = after != null ? after : sim.startedAt;
        long next = start + 1;
        for (EventCursor.Step step : sim.sent) {
            if (step instanceof EventCursor.Deliver d) {
                assertThat(d.event().sequence()).as("the next sequence after " + (next - 1)).isEqualTo(next);
                assertThat(d.event()).as("the event committed under " + next).isSameAs(sim.events.get((int) next - 1));
                next++;
            } else {
                EventCursor.Reset r = (EventCursor.Reset) step;
                assertThat(r.lostFrom()).as("a reset starts right after the last sent").isEqualTo(next);
                assertThat(r.lostTo()).isGreaterThanOrEqualTo(r.lostFrom()).isEqualTo(r.firstKept() - 1);
                next = r.lostTo() + 1;
            }
        }
        assertThat(next - 1).as("sent up to the newest event").isEqualTo(total);
        if (keep >= total) assertThat(sim.resets).as("nothing lost while every event is kept").isZero();
        assertThat(sim.resetsOfKept).as("resets of events still kept").isZero();
        Statistics.label("reset").collect(sim.resets > 0);
        Statistics.label("held live events").collect(sim.maxHeld > 0);
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Action.COMMIT)),
                net.jqwik.api.Tuple.of(6, Arbitraries.just(Action.PUBLISH)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Action.ANSWER)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Action.DUPLICATE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Action.LOSE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Action.FAIL))).list().ofMaxSize(200);
    }

    /** An account's events, the processors that keep the newest of them, the live feed, and the stream's fetches. */
    static final class Simulation {
        final List<AccountEvent> events = new ArrayList<>();
        final int keep;
        final int pageSize;
        final Random random;
        int committed;
        int published;
        Long outstanding;
        long startedAt = -1;
        int resets;
        int resetsOfKept;
        int maxHeld;
        final List<EventCursor.Step> sent = new ArrayList<>();

        Simulation(int total, int keep, int committedAtConnect, int pageSize, Random random) {
            for (int i = 1; i <= total; i++) events.add(event(i));
            this.keep = keep;
            this.pageSize = pageSize;
            this.random = random;
            this.committed = committedAtConnect;
            this.published = committedAtConnect; // what was committed before the stream subscribed is not live
        }

        long firstKept() {
            return committed == 0 ? 1 : Math.max(1, committed - keep + 1);
        }

        /** The processors' answer to "after {@code after}" as of now. */
        AccountEventPage page(long after) {
            List<AccountEvent> page = LongStream.rangeClosed(Math.max(after, firstKept() - 1) + 1, committed)
                    .limit(pageSize).mapToObj(s -> events.get((int) s - 1)).toList();
            return new AccountEventPage(ACCOUNT, page, firstKept(), committed);
        }

        void request(EventCursor cursor) {
            if (outstanding == null && cursor.needsFetch()) {
                outstanding = cursor.fetchAfter();
                cursor.fetching();
            }
        }

        void apply(Action action, EventCursor cursor) {
            switch (action) {
                case COMMIT -> {
                    if (committed < events.size()) committed++;
                }
                case PUBLISH -> {
                    if (published < committed) live(cursor, events.get(published++));
                }
                case LOSE -> {
                    // the feed could not read it, and says so
                    if (published < committed) {
                        published++;
                        cursor.missedLive();
                    }
                }
                case DUPLICATE -> {
                    if (published > 0) live(cursor, events.get(random.nextInt(published)));
                }
                case ANSWER -> answer(cursor);
                case FAIL -> {
                    if (outstanding != null) {
                        outstanding = null;
                        cursor.fetchFailed();
                    }
                }
            }
            request(cursor);
            maxHeld = Math.max(maxHeld, cursor.held());
        }

        void live(EventCursor cursor, AccountEvent event) {
            sent.addAll(cursor.live(event));
        }

        void answer(EventCursor cursor) {
            if (outstanding == null) return;
            AccountEventPage page = page(outstanding);
            outstanding = null;
            boolean wasStarted = cursor.started();
            List<EventCursor.Step> steps = cursor.page(page);
            if (!wasStarted) startedAt = page.latest();
            for (EventCursor.Step step : steps) {
                if (step instanceof EventCursor.Reset r) {
                    resets++;
                    if (r.lostTo() >= page.firstKept()) resetsOfKept++;
                }
            }
            sent.addAll(steps);
        }

        /** Everything commits and is published; the stream's fetches are answered until it has caught up. */
        void finish(EventCursor cursor) {
            while (committed < events.size()) {
                committed++;
                if (random.nextBoolean() && published < committed) live(cursor, events.get(published++));
                request(cursor);
            }
            while (published < committed) {
                live(cursor, events.get(published++));
                request(cursor);
            }
            for (int i = 0; i < 10_000 && (outstanding != null || cursor.needsFetch()); i++) {
                answer(cursor);
                request(cursor);
            }
            assertThat(outstanding).as("no fetch left unanswered").isNull();
            assertThat(cursor.behind()).as("caught up").isFalse();
        }
    }

    static AccountEvent event(long sequence) {
        return new AccountEvent(ACCOUNT, sequence, AccountEventType.POSTING_CREATED, 1_000 + sequence, "EUR",
                100 * sequence, 100 * sequence, 0, "owner", null, null, null);
    }

    // ---- examples ----

    @Example
    void aClientWithoutLastEventIdStartsAfterTheNewestEventAndGetsWhatFollows() {
        EventCursor cursor = EventCursor.newOnly();
        assertThat(cursor.needsFetch()).isTrue();
        cursor.fetching();
        assertThat(cursor.live(event(6))).as("held until the start is known").isEmpty();
        List<EventCursor.Step> steps = cursor.page(new AccountEventPage(ACCOUNT, List.of(event(5)), 1, 5));
        assertThat(steps).containsExactly(new EventCursor.Deliver(event(6)));
        assertThat(cursor.last()).isEqualTo(6);
        assertThat(cursor.live(event(7))).containsExactly(new EventCursor.Deliver(event(7)));
    }

    @Example
    void aLiveEventAfterAGapWaitsForTheMissingOnesFromTheProcessors() {
        EventCursor cursor = EventCursor.after(3);
        cursor.fetching();
        assertThat(cursor.page(new AccountEventPage(ACCOUNT, List.of(), 1, 3))).isEmpty();
        assertThat(cursor.needsFetch()).isFalse();
        assertThat(cursor.live(event(6))).isEmpty();
        assertThat(cursor.needsFetch()).isTrue();
        assertThat(cursor.fetchAfter()).isEqualTo(3);
        cursor.fetching();
        assertThat(cursor.page(new AccountEventPage(ACCOUNT, List.of(event(4), event(5), event(6)), 1, 6)))
                .containsExactly(new EventCursor.Deliver(event(4)), new EventCursor.Deliver(event(5)),
                        new EventCursor.Deliver(event(6)));
        assertThat(cursor.live(event(6))).as("a duplicate").isEmpty();
    }

    @Example
    void eventsNoLongerKeptAreOneResetAndTheStreamGoesOnFromTheOldestKept() {
        EventCursor cursor = EventCursor.after(10);
        cursor.fetching();
        List<EventCursor.Step> steps = cursor.page(new AccountEventPage(ACCOUNT, List.of(event(1001), event(1002)),
                1001, 1002));
        assertThat(steps).containsExactly(new EventCursor.Reset(11, 1000, 1001), new EventCursor.Deliver(event(1001)),
                new EventCursor.Deliver(event(1002)));
    }

    @Example
    void aStartBeyondTheNewestEventIsToldApart() {
        EventCursor cursor = EventCursor.after(99);
        assertThat(cursor.startsBeyond(new AccountEventPage(ACCOUNT, List.of(), 1, 7))).isTrue();
        assertThat(EventCursor.after(7).startsBeyond(new AccountEventPage(ACCOUNT, List.of(), 1, 7))).isFalse();
        assertThat(EventCursor.newOnly().startsBeyond(new AccountEventPage(ACCOUNT, List.of(), 1, 0))).isFalse();
    }

    @Example
    void liveEventsBeyondWhatIsHeldAreFetchedLaterNotLost() {
        EventCursor cursor = EventCursor.after(0);
        cursor.fetching();
        int burst = EventCursor.MAX_PENDING * 3;
        for (int s = 1; s <= burst; s++) assertThat(cursor.live(event(s))).isEmpty();
        assertThat(cursor.held()).isEqualTo(EventCursor.MAX_PENDING);
        long next = 1;
        // the first answer knew of nothing yet; every later one pages through what is kept
        List<EventCursor.Step> sent = new ArrayList<>(cursor.page(new AccountEventPage(ACCOUNT, List.of(), 1, 0)));
        for (int i = 0; i < 100 && cursor.needsFetch(); i++) {
            long after = cursor.fetchAfter();
            cursor.fetching();
            List<AccountEvent> page = LongStream.rangeClosed(after + 1, Math.min(burst, after + 500))
                    .mapToObj(EventCursorTest::event).toList();
            sent.addAll(cursor.page(new AccountEventPage(ACCOUNT, page, 1, burst)));
        }
        for (EventCursor.Step step : sent) {
            assertThat(((EventCursor.Deliver) step).event().sequence()).isEqualTo(next++);
        }
        assertThat(next - 1).isEqualTo(burst);
    }

    @Example
    void fetchesThatBringNothingAreCountedSoTheStreamBacksOff() {
        EventCursor cursor = EventCursor.after(5);
        cursor.fetching();
        cursor.page(new AccountEventPage(ACCOUNT, List.of(), 1, 5));
        cursor.live(event(8));
        cursor.fetching();
        cursor.page(new AccountEventPage(ACCOUNT, List.of(), 1, 5)); // the processors do not know 6 and 7 yet
        assertThat(cursor.fruitless()).isEqualTo(1);
        cursor.fetching();
        cursor.fetchFailed();
        assertThat(cursor.fruitless()).isEqualTo(2);
        cursor.fetching();
        cursor.page(new AccountEventPage(ACCOUNT, List.of(event(6), event(7)), 1, 8));
        assertThat(cursor.fruitless()).isZero();
        assertThat(cursor.last()).isEqualTo(8);
    }
}
