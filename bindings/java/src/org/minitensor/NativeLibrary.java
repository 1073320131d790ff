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
      UnsatisfiedLinkError explained = new UnsatisfiedLinkError(e.getMessage()
          + ": pass -Djava.library.path=<the directory of lib" + NAME + ".so> (an installed "
          + "tree's lib/jni) or -D" + PATH_PROPERTY + "=<its path>");
      explained.initCause(e);
      throw explained;
    }
  }
}
