package dev.bank.schemas;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The reply-partition header as the gateway writes it and the processor reads it ({@link WireHeaders#replyTo}). */
class ReplyPartitionHeaderTest {

    @Property
    void whatTheGatewayWritesIsReadBack(@ForAll @IntRange(min = 1, max = 100_000) int partitions,
                                       @ForAll @IntRange(min = 0, max = 99_999) int partition) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(partition));
        WireHeaders.ReplyTo read = WireHeaders.replyTo(headers, partitions);
        if (partition < partitions) {
            assertThat(read.valid()).isTrue();
            assertThat(read.partition()).isEqualTo(partition);
        } else {
            assertThat(read.valid()).isFalse();
            assertThat(read.refusal()).isEqualTo(WireHeaders.ReplyRefusal.OUT_OF_RANGE);
        }
    }

    @Property(tries = 2000)
    void anyValueIsReadWithoutThrowingAndValidOnlyAsDigitsBelowTheCount(@ForAll("values") byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireHeaders.REPLY_PARTITION, value);
        WireHeaders.ReplyTo read = WireHeaders.replyTo(headers, 16);
        String text = value == null ? "" : new String(value, StandardCharsets.ISO_8859_1);
        boolean digits = !text.isEmpty() && text.length() <= 10 && text.chars().allMatch(c -> c >= '0' && c <= '9');
        boolean expected = digits && new java.math.BigInteger(text).compareTo(java.math.BigInteger.valueOf(16)) < 0;
        assertThat(read.valid()).as("%s", text).isEqualTo(expected);
        assertThat(read.refusal() == null).isEqualTo(expected);
        if (!expected) {
            // what was sent is never repeated (it goes into a log line): only these fixed texts and numbers
            assertThat(read.detail()).matches("the header is not a decimal number|the header has \\d+ bytes, not 1 to"
                    + " 10 digits|partition \\d+ is not below the 16 partitions of the replies topic");
        }
    }

    @Provide
    Arbitrary<byte[]> values() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.bytes().array(byte[].class).ofMaxSize(24),
                Arbitraries.strings().numeric().ofMaxLength(24).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.strings().withChars("0123456789-+ x").ofMaxLength(6)
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void noHeaderIsNoReplyAndARepeatedOneIsRefused() {
        assertThat(WireHeaders.replyTo(new RecordHeaders(), 16)).isEqualTo(WireHeaders.ReplyTo.NONE);
        RecordHeaders twice = new RecordHeaders();
        twice.add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(1));
        twice.add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(1));
        assertThat(WireHeaders.replyTo(twice, 16).refusal()).isEqualTo(WireHeaders.ReplyRefusal.REPEATED);
    }
}
