package io.upbot.local.bench;

import java.io.PrintStream;

/** {@code ./upbot bench pipeline}: not written yet. */
final class PipelineBench {
  private PipelineBench() {}

  static int run(String[] args, PrintStream out) {
    out.println("upbot bench pipeline: not written yet");
    return 1;
  }
}
