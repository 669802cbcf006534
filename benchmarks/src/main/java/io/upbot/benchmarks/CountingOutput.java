package io.upbot.benchmarks;

import io.upbot.job.session.JourneySessionizer;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * An operator output that counts records and drops them, passing everything else on.
 *
 * <p>The test harness's own output copies each record, and builds a new serializer for every
 * side-output record (Flink 2.0.2's {@code AbstractStreamOperatorTestHarness.MockOutput}): that
 * reflection cost, not the sessionizer's, would dominate a per-event figure. In a job the hand-off
 * to the next operator (a copy, or serialisation across a shuffle) is that operator's input cost.
 */
final class CountingOutput<T> implements Output<StreamRecord<T>> {
  private final Output<StreamRecord<T>> next;
  private int records;
  private int deadLetters;

  CountingOutput(Output<StreamRecord<T>> next) {
    this.next = next;
  }

  /** Records (main and side outputs) since the last call; resets the counts. */
  int drainRecords() {
    int n = records;
    records = 0;
    deadLetters = 0;
    return n;
  }

  /** Dead letters since the last {@link #drainRecords}. */
  int deadLetters() {
    return deadLetters;
  }

  @Override
  public void collect(StreamRecord<T> record) {
    records++;
  }

  @Override
  public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
    records++;
    if (tag.equals(JourneySessionizer.DEAD_LETTERS)) {
      deadLetters++;
    }
  }

  @Override
  public void emitWatermark(Watermark mark) {
    next.emitWatermark(mark);
  }

  @Override
  public void emitWatermarkStatus(WatermarkStatus status) {
    next.emitWatermarkStatus(status);
  }

  @Override
  public void emitLatencyMarker(LatencyMarker marker) {
    next.emitLatencyMarker(marker);
  }

  @Override
  public void emitRecordAttributes(RecordAttributes attributes) {
    next.emitRecordAttributes(attributes);
  }

  @Override
  public void emitWatermark(WatermarkEvent event) {
    next.emitWatermark(event);
  }

  @Override
  public void close() {
    next.close();
  }
}
