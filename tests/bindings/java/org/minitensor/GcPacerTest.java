package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When GcPacer asks for a collection: often for dropped objects, rarely for kept ones. */
class GcPacerTest {
  private final AtomicInteger collections = new AtomicInteger();
  private final GcPacer pacer = new GcPacer(100, collections::incrementAndGet);

  @Test
  void droppedObjectsAreCollectedAtTheFloor() {
    for (int i = 0; i < 10_000; ++i) {
      pacer.add(1);
      if (collections.get() > 0 && i % 101 == 100) {
        pacer.remove(101); // what the Cleaner does after a collection
      }
    }
    assertTrue(collections.get() >= 50, collections.get() + " collections");
  }

  @Test
  void keptObjectsDoNotMakeEveryAllocationCollect() {
    for (int i = 0; i < 100_000; ++i) {
      pacer.add(1); // all kept open: the bound doubles with each collection
    }
    assertTrue(collections.get() <= 12, collections.get() + " collections for 100000 kept");
  }
}
