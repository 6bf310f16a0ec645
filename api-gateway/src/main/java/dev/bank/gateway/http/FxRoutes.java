package dev.bank.gateway.http;

import dev.bank.gateway.kafka.CommandPublisher;
import dev.bank.gateway.kafka.FxRateBook;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.FxRate;
import dev.bank.schemas.Json;
import dev.bank.schemas.JsonSchemas;
import dev.bank.schemas.Money;
import dev.bank.schemas.Problem;
import dev.bank.schemas.RejectionReason;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Exchange rates and quotes. Rates come from the rates topic ({@link FxRateBook}); an admin may publish one
 * ({@code POST /fx/rates}), as an upstream rates system does by producing to the topic. A quote is the pair's current
 * rate, its id the rate's id; a transfer naming it ({@code quoteId}) carries that rate in its command, so the processor
 * converts at exactly it. The gateway refuses a quote it does not know or that has expired by its clock; the processor
 * refuses it again by the command's record time, which decides.
 */
final class FxRoutes {
    private static final Logger log = LoggerFactory.getLogger(FxRoutes.class);

    private final FxRateBook book;
    private final CommandPublisher publisher;
    private final Clock clock;
    private final Duration kafkaTimeout;

    FxRoutes(FxRateBook book, CommandPublisher publisher, Clock clock, Duration kafkaTimeout) {
        this.book = book;
        this.publisher = publisher;
        this.clock = clock;
        this.kafkaTimeout = kafkaTimeout;
    }

    /**
     * The rates are not part of readiness (a bank without FX still serves everything else), so until the book has read
     * the topic once, what needs it answers 503.
     */
    private void requireRates() {
        String problem = book.problem();
        if (problem != null) {
            throw new RejectedRequestException(Problem.of(503, "Service unavailable", "exchange rates are "
                    + problem + "; retry"));
        }
    }

    /** {@code POST /fx/quotes}: the pair's current rate, valid now, and the amount converted when one is given. */
    void quote(Context ctx) {
        Requests.QuoteRequest asked = Requests.quote(ctx.bodyAsBytes());
        requireRates();
        Instant now = clock.instant();
        FxRateBook.Rate rate = book.current(asked.from(), asked.to())
                .orElseThrow(() -> refused(RejectionReason.FX_RATE_UNAVAILABLE, "no exchange rate from "
                        + asked.from() + " to " + asked.to() + " is published"));
        if (!rate.validAt(now)) {
            throw refused(RejectionReason.FX_RATE_UNAVAILABLE, "the rate from " + asked.from() + " to " + asked.to()
                    + " is " + (now.isAfter(rate.validUntil()) ? "stale: it was valid until " + rate.validUntil()
                    : "not valid before " + rate.validFrom()) + "; no quote can be given");
        }
        Map<String, Object> body = rateBody(rate);
        if (asked.amount() != null) {
            Currency from = Currency.getInstance(asked.from());
            Currency to = Currency.getInstance(asked.to());
            long minor = Money.toMinor(asked.amount(), from, null);
            BigInteger converted = FxConversion.targetMinor(minor, from, rate.value(), to);
            body.put("amount", Money.major(minor, from));
            body.put("convertedAmount", new java.math.BigDecimal(converted, to.getDefaultFractionDigits()));
        }
        ctx.status(200).contentType("application/json").result(Json.answer(body));
    }

    /** {@code GET /fx/rates}: every pair's current rate, with whether it is valid now. */
    void rates(Context ctx) {
        requireRates();
        Instant now = clock.instant();
        List<Map<String, Object>> rates = book.currentRates().stream().map(r -> {
            Map<String, Object> body = rateBody(r);
            body.put("validNow", r.validAt(now));
            return body;
        }).toList();
        ctx.status(200).contentType("application/json").result(Json.answer(Map.of("rates", rates)));
    }

    /** {@code POST /fx/rates} (admin): publishes a rate to the rates topic and answers once the broker has it. */
    void publish(Context ctx) throws Exception {
        FxRate rate = Requests.rate(ctx.bodyAsBytes(), clock.instant());
        List<String> violations = JsonSchemas.violations(JsonSchemas.FX_RATE, Json.MAPPER.valueToTree(rate));
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(Map.of("body", String.join("; ", violations)));
        }
        if (book.byId(rate.rateId()).isPresent()) {
            throw new RejectedRequestException(Problem.of(409, "Conflict", "rateId " + rate.rateId()
                    + " is already published; a new rate is a new id"));
        }
        ctx.future(() -> publisher.publishRate(rate)
                .orTimeout(kafkaTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((sent, error) -> {
                    if (error != null) {
                        log.warn("publishing rate {} failed: {}", rate.key(), error.toString());
                        ctx.header("Retry-After", "1");
                        dev.bank.observability.HttpErrors.write(ctx, Problem.of(503, "Service unavailable",
                                "Kafka did not take the rate in time; retry"));
                        return null;
                    }
                    // the book learns it now, so the next quote here has it; other gateways read it from the topic
                    book.published(rate, sent.offset());
                    log.info("exchange rate published {} {} rateId={} valid until {}", rate.key(), rate.rate(),
                            rate.rateId(), rate.validUntil());
                    FxRateBook.Rate published = book.byId(rate.rateId()).orElseThrow();
                    ctx.status(201).contentType("application/json").result(Json.answer(rateBody(published)));
                    return null;
                }));
    }

    /**
     * The rate a transfer naming {@code quoteId} converts at; refused (422) when the quote is unknown here or not yet
     * valid. An expired quote still goes to the processor: a retry of a transfer made while it was valid must get
     * the transfer's first answer, and a new transfer is refused there, by the command's record time, with
     * FX_QUOTE_EXPIRED (so the refusal is remembered under its transactionId like any other).
     */
    FxQuote resolve(String quoteId) {
        requireRates();
        FxRateBook.Rate rate = book.byId(quoteId).orElseThrow(() -> refused(RejectionReason.FX_QUOTE_NOT_FOUND,
                "quote " + quoteId + " is not known: ask POST /fx/quotes for one"));
        Instant now = clock.instant();
        if (now.isBefore(rate.validFrom())) {
            throw refused(RejectionReason.FX_RATE_UNAVAILABLE, "quote " + quoteId + " is not valid before "
                    + rate.validFrom());
        }
        FxRate r = rate.record();
        return new FxQuote(r.rateId(), r.base(), r.quote(), r.rate(), rate.validUntil().toString());
    }

    private static Map<String, Object> rateBody(FxRateBook.Rate rate) {
        FxRate r = rate.record();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quoteId", r.rateId());
        body.put("from", r.base());
        body.put("to", r.quote());
        body.put("rate", r.rate());
        if (r.validFrom() != null) body.put("validFrom", rate.validFrom().toString());
        body.put("validUntil", rate.validUntil().toString());
        return body;
    }

    private static RejectedRequestException refused(RejectionReason reason, String detail) {
        return new RejectedRequestException(Responses.refusal(reason, detail));
    }
}
