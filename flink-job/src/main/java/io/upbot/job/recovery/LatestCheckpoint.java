package io.upbot.job.recovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the newest complete checkpoint or savepoint under local directories, so a restarted job
 * resumes its state (and its Kafka offsets) instead of rebuilding rows from nothing.
 *
 * <p>Flink writes checkpoints as {@code <dir>/<job-id>/chk-<n>/_metadata} and savepoints as {@code
 * <dir>/savepoint-<…>/_metadata}; {@code _metadata} appears only when one is complete. Only local
 * ({@code file:}) directories can be searched; on a cluster use Flink's HA or pass the path
 * explicitly.
 */
public final class LatestCheckpoint {

  private LatestCheckpoint() {}

  /**
   * The newest complete checkpoint or savepoint directory among {@code roots} (paths or {@code
   * file:} URIs; missing ones are skipped), by the time its {@code _metadata} was written.
   */
  public static Optional<Path> find(String... roots) {
    Path best = null;
    FileTime bestTime = null;
    for (String root : roots) {
      if (root == null) {
        continue;
      }
      Path dir = toPath(root);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      // Depth 3 covers <dir>/<job-id>/chk-<n>/_metadata and <dir>/savepoint-x/_metadata.
      try (Stream<Path> s =
          Files.find(dir, 3, (p, a) -> a.isRegularFile() && p.endsWith("_metadata"))) {
        Optional<Path> newest =
            s.max(Comparator.comparing(LatestCheckpoint::modified).thenComparing(Path::toString));
        if (newest.isPresent()) {
          FileTime t = modified(newest.get());
          if (bestTime == null || t.compareTo(bestTime) > 0) {
            best = newest.get().getParent();
            bestTime = t;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot search " + dir + " for checkpoints", e);
      }
    }
    return Optional.ofNullable(best);
  }

  private static Path toPath(String root) {
    if (root.startsWith("file:")) {
      return Path.of(URI.create(root));
    }
    if (root.contains("://")) {
      throw new IllegalArgumentException(
          "only local checkpoint directories can be searched, not " + root);
    }
    return Path.of(root);
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
