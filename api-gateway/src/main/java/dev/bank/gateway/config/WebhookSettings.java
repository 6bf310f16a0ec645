package dev.bank.gateway.config;

import dev.bank.observability.WebhookTargets;

import java.util.Map;

/**
 * What the gateway lets customers subscribe to ({@code POST /webhooks}).
 *
 * @param allowList   {@code BANK_WEBHOOK_ALLOWED_HOSTS}: host names and CIDR blocks a webhook may target although the SSRF
 *                    rules refuse them (loopback, private networks), over http too; empty by default
 * @param maxPerOwner {@code BANK_WEBHOOK_MAX_PER_OWNER}: the most subscriptions one principal may have (admins too)
 */
public record WebhookSettings(WebhookTargets.AllowList allowList, int maxPerOwner) {
    public static final int DEFAULT_MAX_PER_OWNER = 10;

    public WebhookSettings {
        if (maxPerOwner < 1) throw new IllegalArgumentException("BANK_WEBHOOK_MAX_PER_OWNER must be at least 1");
    }

    public static WebhookSettings fromEnv(Map<String, String> env) {
        return new WebhookSettings(WebhookTargets.AllowList.parse(env.get("BANK_WEBHOOK_ALLOWED_HOSTS")),
                Integer.parseInt(env.getOrDefault("BANK_WEBHOOK_MAX_PER_OWNER", String.valueOf(DEFAULT_MAX_PER_OWNER))));
    }
}
