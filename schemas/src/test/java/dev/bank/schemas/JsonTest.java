package dev.bank.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    private static JsonNode read(String json) throws IOException {
        return Json.MAPPER.readTree(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesADocumentThatNamesAKeyTwice() {
        assertThatThrownBy(() -> read("{\"amount\":1,\"amount\":500}")).isInstanceOf(IOException.class)
                .hasMessageContaining("Duplicate field 'amount'");
        assertThatThrownBy(() -> read("{\"a\":{\"b\":1,\"b\":2}}")).isInstanceOf(IOException.class);
    }

    @Test
    void refusesAnythingAfterTheDocument() {
        assertThatThrownBy(() -> read("{\"amount\":1} {\"amount\":500}")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read("{\"amount\":1}x")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"type\":\"CREDIT\"}]", Command.class))
                .isInstanceOf(IOException.class);
    }

    @Test
    void refusesDeepNestingAndOverlongNumbers() {
        String deep = "[".repeat(Json.MAX_NESTING_DEPTH + 1) + "]".repeat(Json.MAX_NESTING_DEPTH + 1);
        assertThatThrownBy(() -> read(deep)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read("{\"amount\":" + "9".repeat(Json.MAX_NUMBER_LENGTH + 1) + "}"))
                .isInstanceOf(IOException.class);
    }

    @Test
    void readsOrdinaryDocumentsAsBefore() throws IOException {
        assertThat(read(" {\"amount\":12.34, \"n\":{\"m\":[1,2]}}\n ").get("amount").decimalValue())
                .isEqualByComparingTo("12.34");
    }
}
