package io.upbot.local.bench;

import java.io.PrintStream;

/** {@code ./upbot bench ingest}: not written yet. */
final class IngestBench {
  private IngestBench() {}

  static int run(String[] args, PrintStream out) {
    out.println("upbot bench ingest: not written yet");
    return 1;
  }
}
