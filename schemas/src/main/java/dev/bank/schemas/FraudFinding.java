package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * One rule a payment triggered: its score, a reason an operator can read, and the evidence (what the rule counted
 * and the threshold it compared with). For operators and admins only: a customer is never told which rule fired.
 *
 * @param evidence named figures, amounts in major units of the account's currency, windows in seconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FraudFinding(FraudRule rule, int score, String reason, Map<String, String> evidence) {}
