package org.minitensor;

/** Loads the JNI library before the first native call (MinitensorNativeJNI's initializer). */
final class NativeLibrary {
  /** A system property naming the JNI library's file; without it, java.library.path. */
  static final String PATH_PROPERTY = "minitensor.library";
  static final String NAME = "minitensor_java";

  private NativeLibrary() {}

  static void load() {
    String path = System.getProperty(PATH_PROPERTY);
    if (path != null && !path.isEmpty()) {
      System.load(path);
      return;
    }
    try {
      System.loadLibrary(NAME);
    } catch (UnsatisfiedLinkError e) {
      throw explained(e);
    }
  }

  /** `e` with what to do: point the JVM at the library, or load this jar once per JVM. */
  private static UnsatisfiedLinkError explained(UnsatisfiedLinkError e) {
    // The JVM loads a JNI library into one class loader only; its message says so.
    String advice = String.valueOf(e.getMessage()).contains("another classloader")
        ? "minitensor.jar can be loaded by one class loader per JVM: load it from a class "
            + "loader the others share (e.g. the application class path)"
        : "pass -Djava.library.path=<the directory of lib" + NAME + ".so> (an installed "
            + "tree's lib/jni) or -D" + PATH_PROPERTY + "=<its path>";
    UnsatisfiedLinkError explained = new UnsatisfiedLinkError(e.getMessage() + ": " + advice);
    explained.initCause(e);
    return explained;
  }
}
