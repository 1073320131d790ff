package org.minitensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar's native libraries: found for this platform, extracted safely, loaded from there. */
class NativeLibraryTest {
  private static final String PLATFORM =
      NativeLibrary.platform(System.getProperty("os.name"), System.getProperty("os.arch"));

  /** Read once: a sanitized build's libraries are tens of MB. */
  private static NativeBundle bundle;

  @TempDir
  Path temporary;

  @BeforeAll
  static void readBundle() throws IOException {
    bundle = NativeBundle.read(PLATFORM);
  }

  @Test
  void platformNames() {
    assertEquals("linux-x86_64", NativeLibrary.platform("Linux", "amd64"));
    assertEquals("linux-aarch64", NativeLibrary.platform("Linux", "aarch64"));
    assertEquals("macos-aarch64", NativeLibrary.platform("Mac OS X", "aarch64"));
    assertEquals("windows-x86_64", NativeLibrary.platform("Windows 11", "amd64"));
    assertEquals("freebsd-ppc64le", NativeLibrary.platform("FreeBSD", "ppc64le"));
  }

  @Test
  void aPlatformWithoutLibrariesIsNamed() {
    UnsatisfiedLinkError e =
        assertThrows(UnsatisfiedLinkError.class, () -> NativeBundle.read("plan9-mips"));
    assertTrue(e.getMessage().contains("this platform, plan9-mips"), e.getMessage());
    assertTrue(e.getMessage().contains("for: " + PLATFORM + "."), e.getMessage());
  }

  @Test
  void theBundleLoadsTheJniLibraryLast() throws IOException {
    List<String> order = bundle.loadOrder;
    assertEquals("libminitensor_java.so", order.get(order.size() - 1));
    assertTrue(order.indexOf("libminitensor.so.0") >= 1, "TBB before the library: " + order);
    assertTrue(bundle.files.keySet().containsAll(order));
  }

  @Test
  void extractsOncePerContentIntoPrivateDirectories() throws IOException {
    Path root = temporary.resolve("cache");
    Path directory = NativeCache.extract(bundle, "1.2.3", root);
    assertEquals(root.resolve("1.2.3-" + bundle.digest()), directory);
    for (Path made : List.of(root, directory)) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
    }
    assertExtracted(directory);
    long modified = Files.getLastModifiedTime(directory.resolve("libminitensor.so.0")).toMillis();
    assertEquals(directory, NativeCache.extract(bundle, "1.2.3", root));
    assertEquals(modified,
        Files.getLastModifiedTime(directory.resolve("libminitensor.so.0")).toMillis(),
        "an intact file is left as it is");
  }

  @Test
  void aDamagedFileIsReplaced() throws IOException {
    Path directory = NativeCache.extract(bundle, "1.2.3", temporary);
    Path library = directory.resolve("libminitensor.so.0");
    try (RandomAccessFile file = new RandomAccessFile(library.toFile(), "rw")) {
      file.seek(file.length() / 2);
      int middle = file.read();
      file.seek(file.length() / 2);
      file.write(middle ^ 1);
    }
    Files.delete(directory.resolve("libminitensor_java.so"));
    NativeCache.extract(bundle, "1.2.3", temporary);
    assertExtracted(directory);
  }

  @Test
  void anOpenOrForeignDirectoryIsRefused() throws IOException {
    Path open = Files.createDirectory(temporary.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    IOException e = assertThrows(IOException.class, () -> NativeCache.extract(bundle, "1", open));
    assertTrue(e.getMessage().contains("rwx------"), e.getMessage());
    assertTrue(e.getMessage().contains("rwxrwxrwx"), e.getMessage());
    Path link = Files.createSymbolicLink(temporary.resolve("link"), temporary);
    e = assertThrows(IOException.class, () -> NativeCache.extract(bundle, "1", link));
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  /** Extractions at once (as from JVMs started together) all succeed, into one directory. */
  @Test
  void concurrentExtractionsAgree() throws Exception {
    Callable<Path> extract = () -> NativeCache.extract(bundle, "1.2.3", temporary.resolve("c"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; ++i) {
        results.add(pool.submit(extract));
      }
      Set<Path> directories = new HashSet<>();
      for (Future<Path> result : results) {
        directories.add(result.get());
      }
      assertEquals(1, directories.size(), directories::toString);
      assertExtracted(directories.iterator().next());
    } finally {
      pool.shutdown();
    }
  }

  /** This JVM's libminitensor, JNI library and TBB are the jar's, from the cache. */
  @Test
  void theLoadedLibrariesAreTheExtractedOnes() throws IOException {
    Minitensor.version(); // loaded by now
    Set<Path> mapped = new HashSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      if (line.indexOf('/') >= 0) {
        mapped.add(Path.of(line.substring(line.indexOf('/'))));
      }
    }
    Path directory = NativeCache.defaultRoot().resolve(
        MinitensorNativeConstants.MT_VERSION_STRING + "-" + bundle.digest());
    for (String name : bundle.loadOrder) {
      assertTrue(mapped.contains(directory.resolve(name)), name + " is not loaded from the cache");
      // No other copy (the system's TBB, libtbb.so.12.8) is loaded beside it.
      String stem = name.substring(0, name.indexOf(".so"));
      for (Path path : mapped) {
        String file = path.getFileName().toString();
        assertFalse(file.startsWith(stem + ".so") && !path.getParent().equals(directory),
            path + " is loaded too");
      }
    }
    assertExtracted(directory);
  }

  /** Every file of the bundle is in `directory`, compared by SHA-256 (little memory). */
  private static void assertExtracted(Path directory) throws IOException {
    for (Map.Entry<String, byte[]> file : bundle.files.entrySet()) {
      MessageDigest extracted = sha256();
      try (InputStream in = new DigestInputStream(
          Files.newInputStream(directory.resolve(file.getKey())), extracted)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      assertArrayEquals(sha256().digest(file.getValue()), extracted.digest(), file.getKey());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
