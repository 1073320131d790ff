package org.minitensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The native libraries the jar carries for one platform, in org/minitensor/native/PLATFORM/.
 * Its index, libraries.txt, names the files in load order, one a line: "load FILE" (System.load
 * it) or "extract FILE" (only put it beside the others: the CUDA, MPI and NCCL plugins, which
 * libminitensor opens from next to itself when CUDA is asked for or a launcher started the
 * process). native/platforms.txt names the platforms.
 */
final class NativeBundle {
  static final String FOLDER = "/org/minitensor/native/";

  /** File name to content, in the index's order. */
  final Map<String, byte[]> files;
  /** The files to System.load, dependencies first. */
  final List<String> loadOrder;

  private NativeBundle(Map<String, byte[]> files, List<String> loadOrder) {
    this.files = Collections.unmodifiableMap(files);
    this.loadOrder = Collections.unmodifiableList(loadOrder);
  }

  /** The bundle of `platform`; an UnsatisfiedLinkError naming it when the jar has none. */
  static NativeBundle read(String platform) throws IOException {
    String folder = FOLDER + platform + "/";
    byte[] index = resource(folder + "libraries.txt");
    if (index == null) {
      byte[] platforms = resource(FOLDER + "platforms.txt");
      throw new UnsatisfiedLinkError("minitensor.jar has no native libraries for this platform, "
          + platform + " (os.name " + System.getProperty("os.name") + ", os.arch "
          + System.getProperty("os.arch") + "); it has them for: "
          + (platforms == null ? "none" : text(platforms).trim().replace('\n', ' '))
          + ". Build minitensor from source on this platform");
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    List<String> loadOrder = new ArrayList<>();
    for (String line : text(index).split("\n")) {
      String[] words = line.trim().split(" ");
      if (words.length != 2 || !(words[0].equals("load") || words[0].equals("extract"))) {
        throw new IOException(folder + "libraries.txt: bad line '" + line + "'");
      }
      byte[] content = resource(folder + words[1]);
      if (content == null) {
        throw new IOException(folder + words[1] + " is listed but not in the jar");
      }
      files.put(words[1], content);
      if (words[0].equals("load")) {
        loadOrder.add(words[1]);
      }
    }
    return new NativeBundle(files, loadOrder);
  }

  /** 16 hex digits of a SHA-256 over the names and contents: a name for this content. */
  String digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        sha.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(file.getValue());
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = NativeBundle.class.getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
