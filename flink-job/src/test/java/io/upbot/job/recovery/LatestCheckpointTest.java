package io.upbot.job.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatestCheckpointTest {

  private static final Instant T0 = Instant.parse("2026-11-30T06:00:00Z");

  @TempDir Path dir;

  private Path complete(String relative, Instant written) throws Exception {
    Path d = Files.createDirectories(dir.resolve(relative));
    Path meta = Files.writeString(d.resolve("_metadata"), "x");
    Files.setLastModifiedTime(meta, FileTime.from(written));
    return d;
  }

  @Test
  void shouldFindNothingInAnEmptyOrMissingDirectory() {
    assertThat(LatestCheckpoint.find(dir.toString(), dir.resolve("missing").toString())).isEmpty();
  }

  @Test
  void shouldPickTheNewestCompleteCheckpointAcrossJobsAndSavepoints() throws Exception {
    complete("checkpoints/job-a/chk-7", T0);
    Path newest = complete("checkpoints/job-b/chk-2", T0.plusSeconds(60));
    complete("savepoints/savepoint-1", T0.plusSeconds(30));
    // An in-progress checkpoint has no _metadata yet and must be ignored.
    Files.createDirectories(dir.resolve("checkpoints/job-b/chk-3"));

    assertThat(
            LatestCheckpoint.find(
                dir.resolve("checkpoints").toUri().toString(),
                dir.resolve("savepoints").toString()))
        .contains(newest);
  }

  @Test
  void shouldPreferANewerSavepoint() throws Exception {
    complete("checkpoints/job-a/chk-7", T0);
    Path savepoint = complete("savepoints/savepoint-2", T0.plusSeconds(5));
    assertThat(
            LatestCheckpoint.find(
                dir.resolve("checkpoints").toString(), dir.resolve("savepoints").toString()))
        .contains(savepoint);
  }

  @Test
  void shouldRefuseRemoteFileSystems() {
    assertThatThrownBy(() -> LatestCheckpoint.find("s3://bucket/checkpoints"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only local");
  }
}
