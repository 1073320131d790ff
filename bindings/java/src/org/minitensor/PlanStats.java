package org.minitensor;

/**
 * What the planner made of a capture (Plan.stats): the ops recorded, the kernels a run executes
 * and how many of them are fused (several ops in one loop), the bytes of intermediates that
 * never exist, and the bytes a run loads and stores.
 */
public record PlanStats(long ops, long kernels, long fusedKernels, long bytesAvoided,
    long bytesMoved) {}
