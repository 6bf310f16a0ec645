package dev.bank.bench;

import java.util.List;
import java.util.Map;

/** What a scenario measured beyond its row of the table: printed under the table and kept in the JSON. */
public interface ScenarioDetails {
    /** The lines printed under the table. */
    List<String> lines();

    /** The same figures for the JSON (maps, lists, numbers and strings; null for a figure with no value). */
    Map<String, Object> json();
}
