package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An exchange rate on the compacted rates topic ({@link Topics#fxRates()}), keyed {@code BASE:QUOTE}
 * ({@code EUR:USD}), as an upstream rates system (or an admin through the REST API) publishes it; the newest record
 * of a pair is its current rate. Schema: {@code fx-rate.schema.json}.
 *
 * @param rateId     unique per published rate; a quote's id is the rateId it answers with
 * @param base       the currency converted from (ISO-4217)
 * @param quote      the currency converted to (ISO-4217)
 * @param rate       units of {@code quote} per unit of {@code base}, an exact positive decimal string
 * @param validFrom  when the rate may first be used, ISO-8601; absent: from when it is published
 * @param validUntil the last instant the rate may be used, ISO-8601
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FxRate(String rateId, String base, String quote, String rate, String validFrom, String validUntil) {

    /** The record key of a pair's rate: {@code EUR:USD}. */
    public static String key(String base, String quote) {
        return base + ":" + quote;
    }

    public String key() {
        return key(base, quote);
    }
}
