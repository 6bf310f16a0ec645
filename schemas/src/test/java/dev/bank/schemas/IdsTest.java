package dev.bank.schemas;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {

    @Test
    void handWrittenChecksAgreeWithThePatterns() {
        // ids near the length limits, from an alphabet of allowed, borderline and forbidden characters
        String alphabet = "aZz09._-:/ \u0000é+AzY";
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = random.nextInt(4) == 0 ? 60 + random.nextInt(75) : random.nextInt(6);
            for (int j = 0; j < length; j++) id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            if (random.nextBoolean()) id = new StringBuilder(id.toString().replaceAll("[^A-Za-z0-9]", "a"));
            String s = id.toString();
            assertEquals(Ids.ACCOUNT_ID.matcher(s).matches(), Ids.validAccountId(s), s);
            assertEquals(Ids.TRANSACTION_ID.matcher(s).matches(), Ids.validTransactionId(s), s);
            String webhook = (random.nextInt(5) == 0 ? "wh" : "wh_") + s;
            assertEquals(Ids.WEBHOOK_ID.matcher(webhook).matches(), Ids.validWebhookId(webhook), webhook);
        }
    }

    @Test
    void limits() {
        assertTrue(Ids.validAccountId("a".repeat(64)));
        assertFalse(Ids.validAccountId("a".repeat(65)));
        assertTrue(Ids.validTransactionId("a".repeat(128)));
        assertFalse(Ids.validTransactionId("a".repeat(129)));
        assertFalse(Ids.validAccountId(""));
        assertFalse(Ids.validAccountId(null));
        assertFalse(Ids.validAccountId("acc:1"));
        assertTrue(Ids.validTransactionId("tx:1"));
        assertTrue(Ids.validWebhookId("wh_" + "a".repeat(64)));
        assertFalse(Ids.validWebhookId("wh_" + "a".repeat(65)));
        assertFalse(Ids.validWebhookId("wh_"));
        assertFalse(Ids.validWebhookId("wh_a.b"));
        assertFalse(Ids.validWebhookId(null));
    }
}
