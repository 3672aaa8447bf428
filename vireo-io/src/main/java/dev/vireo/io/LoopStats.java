package dev.vireo.io;

import java.util.Map;

/**
 * A snapshot of a loop's counters.
 *
 * @param issued     operations handed to the engine
 * @param completed  final completions delivered (including cancellations and errors)
 * @param inFlight   operations in flight at the time of the snapshot
 * @param handlerFailures completion handlers that threw
 * @param engine     the engine's own counters (system calls, full-queue flushes, overflow flushes ...)
 */
public record LoopStats(long issued, long completed, int inFlight, long handlerFailures, Map<String, Long> engine) {
}
