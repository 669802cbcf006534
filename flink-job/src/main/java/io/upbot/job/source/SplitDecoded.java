package io.upbot.job.source;

import io.upbot.job.model.DeadLetter;
import io.upbot.job.model.DecodedRecord;
import io.upbot.job.model.JourneyEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Sends on-time events on and dead letters (malformed, late) to a side output. */
public final class SplitDecoded extends ProcessFunction<DecodedRecord, JourneyEvent> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("decode-dead-letters", TypeInformation.of(DeadLetter.class));

  @Override
  public void processElement(DecodedRecord r, Context ctx, Collector<JourneyEvent> out) {
    if (r.event() != null) {
      out.collect(r.event());
    } else {
      ctx.output(DEAD_LETTERS, r.deadLetter());
    }
  }
}
