package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class RuntimeTest {
  @Test
  void versions() {
    assertEquals(MinitensorNative.MT_VERSION_STRING, Minitensor.version());
    assertTrue(Minitensor.abiVersion() >= MinitensorNative.MT_ABI_VERSION);
  }

  /** The JVM loads a JNI library into one class loader: a second one is told so. */
  @Test
  void secondClassLoaderIsExplained() throws Exception {
    Minitensor.version(); // loaded here
    URL jar = Minitensor.class.getProtectionDomain().getCodeSource().getLocation();
    try (URLClassLoader other = new URLClassLoader(new URL[] {jar}, null)) {
      Class<?> minitensor = other.loadClass(Minitensor.class.getName());
      InvocationTargetException e = assertThrows(InvocationTargetException.class,
          () -> minitensor.getMethod("version").invoke(null));
      Throwable error = e.getCause();
      assertInstanceOf(UnsatisfiedLinkError.class, error);
      assertTrue(error.getMessage().contains("one class loader per JVM"), error.getMessage());
      assertFalse(error.getMessage().contains("noexec"), error.getMessage());
    }
  }

  @Test
  void backendsGiveTheSameResults() {
    String initial = Minitensor.currentBackend();
    assertTrue(Minitensor.backends().contains("cpu_par"));
    assertTrue(Minitensor.backends().contains("cpu_seq"));
    try (Generator generator = new Generator(8);
        Tensor a = Tensor.rand(new long[] {20, 30}, DType.FLOAT32, -1, 1, generator);
        Tensor b = Tensor.rand(new long[] {30, 10}, DType.FLOAT32, -1, 1, generator)) {
      double[] parallel;
      Minitensor.setBackend("cpu_par");
      try (Tensor c = a.matmul(b)) {
        parallel = c.toDoubleArray();
      }
      Minitensor.setBackend("cpu_seq");
      assertEquals("cpu_seq", Minitensor.currentBackend());
      try (Tensor c = a.matmul(b)) {
        assertArrayEquals(parallel, c.toDoubleArray(), 1e-5);
      }
    } finally {
      Minitensor.setBackend(initial);
    }
  }

  @Test
  void threadCount() {
    try {
      Minitensor.setNumThreads(1);
      assertEquals(1, Minitensor.numThreads());
      // More than the CPUs this process may run on is clamped to them.
      Minitensor.setNumThreads(4096);
      int usable = Minitensor.numThreads();
      assertTrue(usable >= 1 && usable < 4096);
      Minitensor.setNumThreads(3);
      assertEquals(Math.min(3, usable), Minitensor.numThreads());
    } finally {
      Minitensor.setNumThreads(0);
    }
    assertTrue(Minitensor.numThreads() >= 1);
  }

  @Test
  void diagnosticsAreCollected() {
    String initial = Minitensor.currentBackend();
    DiagnosticsMode mode = Minitensor.diagnostics();
    try {
      Minitensor.setBackend("cpu_par");
      Minitensor.setDiagnostics(DiagnosticsMode.COLLECT);
      assertEquals(DiagnosticsMode.COLLECT, Minitensor.diagnostics());
      Minitensor.takeDiagnostics();
      try (Tensor a = Tensor.ones(DType.FLOAT32, 100); Tensor b = a.add(a)) {
        String report = Minitensor.takeDiagnostics();
        assertTrue(report.contains("cpu_par zip add"), report);
      }
      assertEquals("", Minitensor.takeDiagnostics());
    } finally {
      Minitensor.setDiagnostics(mode);
      Minitensor.setBackend(initial);
    }
  }
}
