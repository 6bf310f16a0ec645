package dev.bank.schemas;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;

/**
 * The one Jackson configuration both sides of the wire use. Decimal numbers are read as {@code BigDecimal}
 * so that no amount ever passes through a {@code double}; unknown fields are tolerated so that a newer
 * producer does not break an older consumer.
 *
 * <p>It is strict about what could be read two ways: a document with a key twice ({@code {"amount":1,"amount":500}})
 * or with anything after its end is refused, not read as its last or first part, so the gateway, the processor and
 * any other reader of the contract agree on what a document says. Nesting and number length are bounded so a
 * hostile document costs little to refuse (none of ours nests more than a few levels).
 */
public final class Json {
    /** Deeper documents are refused while parsing; ours nest at most four levels. */
    public static final int MAX_NESTING_DEPTH = 32;
    /** Longer number tokens are refused while parsing; an amount has at most 40 characters. */
    public static final int MAX_NUMBER_LENGTH = 100;

    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // a tree keeps a decimal as written: 800.00 stays 800.00 (Jackson's default would make it 8E+2)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * How the REST API writes its answers: as {@link #MAPPER}, with decimals written out in full ({@code 0.0000001},
     * never {@code 1E-7}). Only for documents of our own making: a hostile number of huge scale would be refused.
     */
    private static final ObjectWriter ANSWERS = MAPPER.writer().with(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private Json() {}

    /** The JSON bytes of an answer of the REST API ({@link #ANSWERS}). */
    public static byte[] answer(Object value) {
        try {
            return ANSWERS.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The JSON bytes of a value; our records always serialize, so a failure is a bug, not an input problem. */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
