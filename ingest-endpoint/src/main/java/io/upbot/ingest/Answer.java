package io.upbot.ingest;

import java.util.Objects;

/**
 * What the endpoint answers a request (docs/api.md#answers): the ret and, for parameter errors, the
 * first offending field and rule. A success is an answer too ({@code Answer.of(Ret.OK)}).
 */
public record Answer(Ret ret, String detail) {
  public Answer {
    Objects.requireNonNull(ret, "ret");
  }

  public static Answer of(Ret ret) {
    return new Answer(ret, null);
  }

  public static Answer parameter(String detail) {
    return new Answer(Ret.PARAMETER_ERROR, detail);
  }
}
