package io.upbot.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The console's own token, kept in {@code <data-dir>/console-token} (mode 600): generated at the
 * first start, the same afterwards. It is not a reporting token: it opens the console only, and a
 * reporting token does not open the console.
 */
public final class ConsoleToken {

  /** The file's name in the data dir. */
  public static final String FILE = "console-token";

  private static final Pattern SHAPE = Pattern.compile("console-[0-9a-f]{32}");
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final String value;

  private ConsoleToken(String value) {
    this.value = value;
  }

  /** The token in {@code dataDir}, created if missing; its file is made owner-only. */
  public static ConsoleToken ensure(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      String token = "console-" + HexFormat.of().formatHex(random);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      } catch (UnsupportedOperationException notPosix) {
        Files.createFile(file);
      } catch (FileAlreadyExistsException raced) {
        return read(file);
      }
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      return new ConsoleToken(token);
    }
    return read(file);
  }

  private static ConsoleToken read(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (!SHAPE.matcher(token).matches()) {
      throw new IOException(
          file
              + " does not hold a console token (console-<32 hex digits>); delete it to make a new one");
    }
    try {
      // A token file others can read is no secret: tighten it.
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } catch (UnsupportedOperationException notPosix) {
      // Nothing to tighten on this file system.
    }
    return new ConsoleToken(token);
  }

  /** A token given in code (tests, the local stack). */
  public static ConsoleToken of(String value) {
    if (!SHAPE.matcher(value).matches()) {
      throw new IllegalArgumentException("not a console token");
    }
    return new ConsoleToken(value);
  }

  public String value() {
    return value;
  }

  /** Whether {@code candidate} is this token, in time independent of where they differ. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.trim().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "ConsoleToken[…]";
  }
}
