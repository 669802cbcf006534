package io.upbot.job;

import java.util.List;

/** Bad job settings: lists every offending key with its problem. */
public final class SettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public SettingsException(List<String> problems) {
    super("invalid settings:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
