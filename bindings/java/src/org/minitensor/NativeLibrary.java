package org.minitensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Loads the JNI library before the first native call (MinitensorNativeJNI's initializer): the
 * jar carries it with the libraries it needs (NativeBundle), which are extracted into a per-user
 * cache (NativeCache) and loaded from there, dependencies first, so that `java -cp
 * minitensor.jar` is all it takes.
 */
final class NativeLibrary {
  private NativeLibrary() {}

  static void load() {
    String platform = platform(System.getProperty("os.name"), System.getProperty("os.arch"));
    NativeBundle bundle;
    Path directory;
    try {
      bundle = NativeBundle.read(platform);
      // The header's version: a constant javac copies here, no native call.
      directory = NativeCache.extract(bundle, MinitensorNativeConstants.MT_VERSION_STRING,
          NativeCache.defaultRoot());
    } catch (IOException e) {
      UnsatisfiedLinkError error = new UnsatisfiedLinkError(
          "minitensor cannot extract its native libraries: " + e.getMessage());
      error.initCause(e);
      throw error;
    }
    try {
      for (String name : bundle.loadOrder) {
        System.load(directory.resolve(name).toString());
      }
    } catch (UnsatisfiedLinkError e) {
      throw explained(e);
    }
  }

  /**
   * The folder name of a platform, "linux-x86_64": os.name and os.arch as the build names them
   * (bindings/java/CMakeLists.txt computes the same from CMAKE_SYSTEM_NAME/PROCESSOR).
   */
  static String platform(String osName, String osArch) {
    String os = osName.startsWith("Windows") ? "windows"
        : osName.startsWith("Mac") ? "macos"
        : osName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String arch = switch (osArch) {
      case "amd64", "x86_64" -> "x86_64";
      case "arm64", "aarch64" -> "aarch64";
      default -> osArch.toLowerCase(Locale.ROOT);
    };
    return os + "-" + arch;
  }

  /** `e` with what to do: load this jar once per JVM, or extract elsewhere. */
  private static UnsatisfiedLinkError explained(UnsatisfiedLinkError e) {
    // The JVM loads a native library into one class loader only; its message says so.
    String advice = String.valueOf(e.getMessage()).contains("another classloader")
        ? "minitensor.jar can be loaded by one class loader per JVM: load it from a class "
            + "loader the others share (e.g. the application class path)"
        : "if java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ") does not allow "
            + "running code (noexec), pass -Djava.io.tmpdir=<another directory>";
    UnsatisfiedLinkError explained = new UnsatisfiedLinkError(e.getMessage() + ": " + advice);
    explained.initCause(e);
    return explained;
  }
}
