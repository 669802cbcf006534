package io.upbot.ingest;

import java.util.Objects;

/** Why a request is refused: the answer and, for parameter errors, the first offending field and rule. */
public record Rejection(Ret ret, String detail) {
  public Rejection {
    Objects.requireNonNull(ret, "ret");
  }

  public static Rejection of(Ret ret) {
    return new Rejection(ret, null);
  }

  public static Rejection parameter(String detail) {
    return new Rejection(Ret.PARAMETER_ERROR, detail);
  }
}
