package io.upbot.local.bench;

import java.io.PrintStream;

/** {@code ./upbot bench job}: not written yet. */
final class JobBench {
  private JobBench() {}

  static int run(String[] args, PrintStream out) {
    out.println("upbot bench job: not written yet");
    return 1;
  }
}
