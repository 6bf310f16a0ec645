package dev.bank.gateway.events;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Where one live stream is in its account's events, and what it sends next: the merge of the events the processors
 * keep (pages read after a sequence) with the events the gateway reads live from the events topic, so that the client
 * gets every sequence after its start exactly once, in order, whatever the two sources do. A live event may arrive
 * before the page that precedes it, twice, or after a gap (the gateway started reading the topic after it was
 * written); a page may overlap what was delivered, or start later than asked because the processors no longer keep the
 * oldest events. Pure logic, not thread-safe: its stream calls it under its own lock.
 *
 * <p>The rule: deliver {@code last + 1} when it is at hand, hold later live events until the sequences before them
 * are, and ask the processors for what is missing ({@link #needsFetch}). Events the processors no longer keep are
 * reported once as a {@link Reset} covering exactly the lost sequences, and the stream goes on from the oldest kept.
 */
public final class EventCursor {
    /** What the stream sends next, in order. */
    public sealed interface Step permits Deliver, Reset {}

    /** An event, the next sequence after the last one sent. */
    public record Deliver(AccountEvent event) implements Step {}

    /**
     * Sequences {@code lostFrom..lostTo} are gone (the processors keep each account's most recent events only): the
     * client reloads the balance and the history, and the stream goes on from {@code firstKept}.
     */
    public record Reset(long lostFrom, long lostTo, long firstKept) implements Step {}

    /**
     * Live events held while the sequences before them are fetched. More are dropped (the newest first): the
     * processors keep them, and the cursor asks for them once the ones before are sent.
     */
    static final int MAX_PENDING = 1024;

    /** The last sequence sent (or the start); -1 while a stream of new events only has not learnt where it starts. */
    private long last;
    private final TreeMap<Long, AccountEvent> pending = new TreeMap<>();
    /** The newest sequence known to exist: a live event seen, or a page's latest. */
    private long newestKnown;
    private boolean fetching;
    /** Whether a page has been read: until then the account's newest sequence is not known. */
    private boolean paged;
    /** Fetches in a row that sent nothing although the cursor was behind. */
    private int fruitless;

    private EventCursor(long last) {
        this.last = last;
        this.newestKnown = Math.max(last, 0);
    }

    /** A stream that resumes after {@code sequence} (its {@code Last-Event-ID}; 0: every event still kept). */
    public static EventCursor after(long sequence) {
        if (sequence < 0) throw new IllegalArgumentException("a sequence is never negative: " + sequence);
        return new EventCursor(sequence);
    }

    /** A stream of new events only: it starts at the account's latest event when its first page says which. */
    public static EventCursor newOnly() {
        return new EventCursor(-1);
    }

    /** The last sequence sent, or the start; -1 while not known. */
    public long last() {
        return last;
    }

    /** Whether the start is known (a stream of new events only learns it from its first page). */
    public boolean started() {
        return last >= 0;
    }

    /** Events are known to exist that were not sent, or the account's newest is not known yet (no page read). */
    public boolean behind() {
        return !paged || newestKnown > last;
    }

    /** Whether the stream should ask the processors for the events after {@link #fetchAfter()} now. */
    public boolean needsFetch() {
        return !fetching && behind();
    }

    /** What to ask the processors for: the events after this sequence. */
    public long fetchAfter() {
        return Math.max(last, 0);
    }

    /** A fetch was sent; the cursor waits for its {@link #page} (live events are held meanwhile). */
    public void fetching() {
        fetching = true;
    }

    /** The fetch failed: the next {@link #needsFetch} asks again. */
    public void fetchFailed() {
        fetching = false;
        fruitless++;
    }

    /** Fetches in a row that sent nothing although the cursor was behind (the stream backs off, then gives up). */
    public int fruitless() {
        return fruitless;
    }

    /**
     * Whether {@code page} says the account has no event as late as the stream's start: a {@code Last-Event-ID} the
     * bank never issued for this account.
     */
    public boolean startsBeyond(AccountEventPage page) {
        return last > page.latest();
    }

    /** A live event, as the events topic has it; returns what to send now (possibly nothing). */
    public List<Step> live(AccountEvent event) {
        long sequence = event.sequence();
        if (last >= 0 && sequence <= last) return List.of(); // sent already, or before the start
        newestKnown = Math.max(newestKnown, sequence);
        if (!fetching && last >= 0 && sequence == last + 1) {
            List<Step> out = new ArrayList<>(1);
            send(event, out);
            drain(out);
            return out;
        }
        hold(event);
        return List.of();
    }

    /**
     * The live feed lost an event of the account (a record it could not read): the newest sequence is not known any
     * more, so the cursor asks the processors, which have the event.
     */
    public void missedLive() {
        paged = false;
    }

    /** The processors' answer to the fetch; returns what to send now, in order. */
    public List<Step> page(AccountEventPage page) {
        fetching = false;
        paged = true;
        long before = last;
        List<Step> out = new ArrayList<>();
        newestKnown = Math.max(newestKnown, page.latest());
        if (last < 0) {
            last = page.latest(); // new events only: everything up to here is the past
        } else {
            if (page.firstKept() > last + 1 && page.latest() >= page.firstKept()) {
                out.add(new Reset(last + 1, page.firstKept() - 1, page.firstKept()));
                last = page.firstKept() - 1;
            }
            for (AccountEvent event : page.events()) {
                if (event.sequence() <= last) continue;
                if (event.sequence() != last + 1) break; // a hole: what follows is asked again
                send(event, out);
            }
        }
        drain(out);
        fruitless = last > before || !behind() ? 0 : fruitless + 1;
        return out;
    }

    private void send(AccountEvent event, List<Step> out) {
        out.add(new Deliver(event));
        last = event.sequence();
    }

    /** Sends the held events that now follow on, and forgets those at or before the last sent. */
    private void drain(List<Step> out) {
        while (!pending.isEmpty()) {
            var first = pending.firstEntry();
            if (first.getKey() <= last) {
                pending.pollFirstEntry();
            } else if (!fetching && first.getKey() == last + 1) {
                pending.pollFirstEntry();
                send(first.getValue(), out);
            } else {
                return;
            }
        }
    }

    private void hold(AccountEvent event) {
        if (pending.size() >= MAX_PENDING) {
            if (event.sequence() > pending.lastKey()) return; // fetched later, with the ones before it
            pending.pollLastEntry();
        }
        pending.put(event.sequence(), event);
    }

    /** Live events held right now (for tests and metrics). */
    int held() {
        return pending.size();
    }
}
