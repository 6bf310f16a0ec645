package dev.bank.processor.topology;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersTest {
    private static final int OVERHEAD = 5; // the key "acc-1"

    private static Record<String, byte[]> record(String key, int valueBytes) {
        return new Record<>(key, new byte[valueBytes], 42L, new RecordHeaders());
    }

    private static long size(Record<String, byte[]> r) {
        return TopologyTests.size(r.key(), r.value(), r.headers());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16_383, 16_384, 16_385, DeadLetters.MAX_COPY_BYTES - OVERHEAD - 1,
            DeadLetters.MAX_COPY_BYTES - OVERHEAD})
    void copiesARecordWholeUpToTheCopyLimit(int valueBytes) {
        Record<String, byte[]> letter = DeadLetters.letter(record("acc-1", valueBytes),
                Optional.of(HostileRecordsTopologyTest.metadata("bank.commands", 3, 9)), DeadLetter.TOO_LARGE, "why");
        assertThat(letter.value()).hasSize(valueBytes);
        assertThat(letter.key()).isEqualTo("acc-1");
        assertThat(letter.headers().lastHeader(DeadLetter.TRUNCATED_HEADER)).isNull();
        assertThat(letter.timestamp()).isEqualTo(42L);
    }

    @ParameterizedTest
    @ValueSource(ints = {DeadLetters.MAX_COPY_BYTES - OVERHEAD + 1, DeadLetters.MAX_COPY_BYTES, 1_048_576, 1_048_588,
            10_000_000})
    void keepsAReferenceAndABoundedPrefixOfALargerOne(int valueBytes) {
        Record<String, byte[]> letter = DeadLetters.letter(record("acc-1", valueBytes),
                Optional.of(HostileRecordsTopologyTest.metadata("bank.commands", 3, 9)), DeadLetter.TOO_LARGE, "why");
        assertThat(letter.value()).hasSize(DeadLetters.PREFIX_BYTES);
        assertThat(new String(letter.headers().lastHeader(DeadLetter.ORIGINAL_VALUE_BYTES_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo(String.valueOf(valueBytes));
        assertThat(new String(letter.headers().lastHeader(DeadLetter.SOURCE_OFFSET_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("9");
        assertThat(size(letter)).isLessThan(8 * 1024);
    }

    @Test
    void boundsAHugeKeyManyHeadersAndALongDetail() {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 10_000; i++) headers.add("h" + i, new byte[100]);
        Record<String, byte[]> hostile = new Record<>("k".repeat(900_000), new byte[10], 1L, headers);
        Record<String, byte[]> letter = DeadLetters.letter(hostile, Optional.empty(), DeadLetter.KEY_MISMATCH,
                "d".repeat(50_000));
        assertThat(size(letter)).isLessThan(8 * 1024);
        assertThat(letter.key()).startsWith("kkkk").hasSizeLessThan(DeadLetters.MAX_KEY_CHARS + 32);
    }

    @Test
    void countsMultiByteCharactersOfTheKeyAsTheirUtf8Size() {
        String key = "é".repeat(DeadLetters.MAX_COPY_BYTES / 2 + 1); // 2 bytes each: just over the limit
        Record<String, byte[]> letter = DeadLetters.letter(new Record<>(key, new byte[0], 1L, new RecordHeaders()),
                Optional.empty(), DeadLetter.KEY_MISMATCH, "why");
        assertThat(letter.headers().lastHeader(DeadLetter.TRUNCATED_HEADER)).isNotNull();
    }
}
