package io.upbot.job.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/** A watermark generator's output, kept: the timestamps it emitted, in order. */
public final class EmittedWatermarks implements WatermarkOutput {

  private final List<Long> timestamps = new ArrayList<>();

  @Override
  public void emitWatermark(Watermark w) {
    timestamps.add(w.getTimestamp());
  }

  @Override
  public void markIdle() {}

  @Override
  public void markActive() {}

  /** The timestamps emitted so far (a live view). */
  public List<Long> timestamps() {
    return timestamps;
  }

  /** The timestamps emitted since the last call, forgotten. */
  public List<Long> drain() {
    List<Long> out = List.copyOf(timestamps);
    timestamps.clear();
    return out;
  }
}
