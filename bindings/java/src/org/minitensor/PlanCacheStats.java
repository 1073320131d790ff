package org.minitensor;

import static org.minitensor.Args.notNull;

/**
 * The plan cache (Plan.cacheStats): the entries it keeps (planner decisions by structure, never
 * sizes), the most it keeps, the compiles that found their structure (hits) or not (misses),
 * and why the latest miss missed ("" before any).
 */
public record PlanCacheStats(long entries, long maxEntries, long hits, long misses,
    String lastMiss) {
  /** Refuses a null lastMiss (the library gives "" before any miss). */
  public PlanCacheStats {
    notNull(lastMiss, "PlanCacheStats", "lastMiss");
  }
}
