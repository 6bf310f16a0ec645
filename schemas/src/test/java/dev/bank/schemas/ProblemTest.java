package dev.bank.schemas;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemTest {
    @Test
    void anExcerptRepeatsAtMostSixtyFourCharacters() {
        assertThat(Problem.excerpt("short")).isEqualTo("short");
        assertThat(Problem.excerpt("x".repeat(64))).isEqualTo("x".repeat(64));
        assertThat(Problem.excerpt("x".repeat(10_000))).isEqualTo("x".repeat(64) + "…");
    }

    @Test
    void aProblemNeverCarriesAHugeText() {
        String huge = "y".repeat(100_000);
        Problem p = Problem.of(400, "Invalid request", huge).withErrors(Map.of("field", huge)).withInstance(huge);
        assertThat(p.detail()).hasSize(Problem.MAX_TEXT + 1);
        assertThat(p.errors().get("field")).hasSize(Problem.MAX_TEXT + 1);
        assertThat(p.instance()).hasSize(Problem.MAX_INSTANCE + 1);
    }
}
