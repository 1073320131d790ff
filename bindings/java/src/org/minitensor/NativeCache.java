package org.minitensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Where the native libraries are extracted: ROOT/VERSION-DIGEST/, ROOT being
 * java.io.tmpdir/minitensor-USER. Each directory is created 0700 and must be the user's own
 * with those permissions (another user could have made it first in a shared /tmp). Each file
 * is written under a temporary name and renamed into place, so JVMs extracting at once never
 * load half a file; a file already there is compared with the jar's, not trusted.
 */
final class NativeCache {
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rwx------");

  private NativeCache() {}

  static Path defaultRoot() {
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    return Path.of(System.getProperty("java.io.tmpdir"), "minitensor-" + user);
  }

  /** Extracts `bundle` into ROOT/VERSION-DIGEST (unless there already) and returns it. */
  static Path extract(NativeBundle bundle, String version, Path root) throws IOException {
    Path directory = privateDirectory(privateDirectory(root)
        .resolve(version + "-" + bundle.digest()));
    for (Map.Entry<String, byte[]> file : bundle.files.entrySet()) {
      install(directory, file.getKey(), file.getValue());
    }
    return directory;
  }

  /** `directory`, created 0700 unless it exists; it must be the user's own, 0700, no link. */
  private static Path privateDirectory(Path directory) throws IOException {
    UserPrincipal user;
    try {
      Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.setPosixFilePermissions(directory, OWNER_ONLY); // whatever the umask took away
      user = Files.getOwner(directory);
    } catch (FileAlreadyExistsException e) {
      user = currentUser(directory.getParent());
    }
    PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isDirectory() || !attributes.owner().equals(user)
        || !attributes.permissions().equals(OWNER_ONLY)) {
      throw new IOException(directory + " must be a directory of " + user.getName()
          + "'s own with permissions rwx------ (it is "
          + (attributes.isDirectory() ? "" : "not a directory, ") + attributes.owner().getName()
          + "'s, " + PosixFilePermissions.toString(attributes.permissions()) + "): remove it, "
          + "or pass -Djava.io.tmpdir=<another directory>");
    }
    return directory;
  }

  /** The owner of the files this process creates, seen on a file made for the purpose. */
  private static UserPrincipal currentUser(Path directory) throws IOException {
    Path probe = Files.createTempFile(directory, "owner-", ".tmp");
    try {
      return Files.getOwner(probe);
    } finally {
      Files.delete(probe);
    }
  }

  /** Puts `content` at directory/name, unless the same bytes are there already. */
  private static void install(Path directory, String name, byte[] content) throws IOException {
    Path target = directory.resolve(name);
    if (holds(target, content)) {
      return;
    }
    Path temporary = Files.createTempFile(directory, name + ".", ".tmp");
    try {
      Files.write(temporary, content);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /**
   * Whether `file` is a regular file of exactly `content`, read in pieces (a sanitized build's
   * libraries are tens of MB).
   */
  static boolean holds(Path file, byte[] content) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        || Files.size(file) != content.length) {
      return false;
    }
    byte[] piece = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int at = 0; at < content.length;) {
        int read = in.readNBytes(piece, 0, Math.min(piece.length, content.length - at));
        if (read == 0 || !Arrays.equals(piece, 0, read, content, at, at + read)) {
          return false;
        }
        at += read;
      }
    }
    return true;
  }
}
