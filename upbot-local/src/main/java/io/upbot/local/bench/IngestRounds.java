package io.upbot.local.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The rounds of {@code ./upbot bench ingest}: U, P and ours measured one after the other, again in
 * every round, so that each round's ours / L compares figures taken within seconds of each other.
 * On a shared machine a slow spell lasting one phase moved a single run's ratio from 0.85 to 0.60
 * (docs/performance.md); the median of the rounds' ratios leaves such a spell out.
 */
final class IngestRounds {

  /** One round's rates: ours at its maximum, U (events/s) and P (records/s). */
  record Round(double ours, double u, double p) {

    /** L = 1/(1/U + 1/P); 0 where a ceiling was not measured. */
    double limit() {
      return u > 0 && p > 0 ? 1 / (1 / u + 1 / p) : 0;
    }

    /** ours / L; 0 where L is. */
    double ratio() {
      double l = limit();
      return l == 0 ? 0 : ours / l;
    }
  }

  /** One warm-up window's rate. */
  @FunctionalInterface
  interface Window {
    double rate() throws Exception;
  }

  /** Warm-up windows at most (a minute), if the rate keeps rising. */
  static final int MAX_WARMUP_WINDOWS = 12;

  /** A window more than this fraction faster than every earlier one is a new high. */
  static final double STEADY = 0.05;

  private IngestRounds() {}

  /**
   * Runs {@code window} until its rate stops rising: until two windows in a row set no new high
   * (neither is more than {@link #STEADY} faster than every window before them), at least three
   * times and at most {@code maxWindows}. One window slower than the last is no sign: the rates dip
   * and climb on while the compilers work. The endpoint and the broker each took 25–35 s under load
   * to reach their steady rate on the 2-core machine (their compilers share the cores with the
   * load), 2 to 3 times their first seconds'.
   *
   * @return the windows' rates, in order
   */
  static List<Double> warmUntilSteady(Window window, int maxWindows) throws Exception {
    List<Double> rates = new ArrayList<>();
    while (rates.size() < maxWindows) {
      rates.add(window.rate());
      int n = rates.size();
      if (n >= 3) {
        double best =
            rates.subList(0, n - 2).stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double bar = best * (1 + STEADY);
        if (rates.get(n - 2) <= bar && rates.get(n - 1) <= bar) {
          break;
        }
      }
    }
    return rates;
  }

  /** Warm-up windows' rates as the bench prints and keeps them: {@code 61234 88410 90102}. */
  static String listed(List<Double> rates) {
    return rates.stream()
        .map(r -> String.format(Locale.ROOT, "%.0f", r))
        .collect(Collectors.joining(" "));
  }

  /** The median of the rounds' ours / L (of an even count, the mean of the middle two). */
  static double medianRatio(List<Round> rounds) {
    return median(rounds.stream().mapToDouble(Round::ratio).toArray());
  }

  /**
   * The median of the rounds' rates of ours: the maximum rate that the half-rate phase halves, so
   * that one round in a slow spell does not lower it.
   */
  static double medianOurs(List<Round> rounds) {
    return median(rounds.stream().mapToDouble(Round::ours).toArray());
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] r = values.clone();
    Arrays.sort(r);
    int n = r.length;
    return n % 2 == 1 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
  }

  /** The rounds' ratios in the order they ran, for the table: {@code 0.848 0.885 0.598}. */
  static String ratios(List<Round> rounds) {
    return rounds.stream()
        .map(r -> String.format(Locale.ROOT, "%.3f", r.ratio()))
        .collect(Collectors.joining(" "));
  }
}
