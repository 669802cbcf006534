package io.upbot.local.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time spent by the stack: this JVM (endpoint, job, load generator) per thread group, and the
 * broker's JVM as a whole. On a shared machine the wall-clock rates move with the neighbours' load;
 * CPU time per event moves much less, and says which part of the stack an event costs most in.
 */
final class PipelineCpu {
  private static final Pattern NUMBERS = Pattern.compile("\\(\\d+/\\d+\\)|#\\d+|[-_ ]?\\d+");
  private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

  static final String OTHER_JAVA_THREADS = "other Java threads";
  static final String JVM_THREADS = "the JVM's own threads (GC, compilers)";

  /** CPU nanoseconds by thread group, and of the broker, at one moment. */
  record Snapshot(long processNanos, long brokerNanos, Map<String, Long> byGroup) {

    /** What was spent between {@code earlier} and this snapshot. */
    Snapshot minus(Snapshot earlier) {
      Map<String, Long> d = new HashMap<>(byGroup);
      earlier.byGroup.forEach((k, v) -> d.merge(k, -v, Long::sum));
      return new Snapshot(
          processNanos - earlier.processNanos, brokerNanos - earlier.brokerNanos, d);
    }

    /** Microseconds of CPU per event: this JVM and the broker together. */
    double microsPerEvent(long events) {
      return events <= 0 ? 0 : (processNanos + Math.max(0, brokerNanos)) / 1000.0 / events;
    }

    /**
     * The {@code n} thread groups that spent most, in microseconds per event, most first; then the
     * rest of the Java threads together, and the JVM's own threads (its collector, compilers and VM
     * thread, which {@link ThreadMXBean} does not list: the process's CPU less every Java
     * thread's), so that the figures add up to the whole.
     */
    Map<String, Double> top(int n, long events) {
      Map<String, Double> m = new LinkedHashMap<>();
      double per = Math.max(1, events) * 1000.0;
      List<Map.Entry<String, Long>> busiest =
          byGroup.entrySet().stream()
              .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
              .limit(n)
              .toList();
      long listed = 0;
      for (Map.Entry<String, Long> e : busiest) {
        m.put(e.getKey(), round1(e.getValue() / per));
        listed += e.getValue();
      }
      long java = byGroup.values().stream().mapToLong(Long::longValue).sum();
      if (java > listed) {
        m.put(OTHER_JAVA_THREADS, round1((java - listed) / per));
      }
      m.put(JVM_THREADS, round1(Math.max(0, processNanos - java) / per));
      if (brokerNanos >= 0) {
        m.put("kafka broker (its JVM)", round1(brokerNanos / per));
      }
      return m;
    }
  }

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Path brokerPidFile;

  /** Reads the broker's CPU time from the process named in {@code brokerPidFile}. */
  PipelineCpu(Path brokerPidFile) {
    this.brokerPidFile = brokerPidFile;
    if (threads.isThreadCpuTimeSupported()) {
      threads.setThreadCpuTimeEnabled(true);
    }
  }

  Snapshot snapshot() {
    Map<String, Long> byGroup = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu > 0) {
        byGroup.merge(group(info.getThreadName()), cpu, Long::sum);
      }
    }
    long process =
        ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getProcessCpuTime()
            : byGroup.values().stream().mapToLong(Long::longValue).sum();
    return new Snapshot(process, brokerNanos(), byGroup);
  }

  /** A thread's group: its name without numbers, so a pool's threads add up. */
  static String group(String threadName) {
    String g = NUMBERS.matcher(threadName).replaceAll("").trim();
    return g.isEmpty() ? threadName : g;
  }

  /** The broker JVM's user + system time from /proc, or -1 where that cannot be read. */
  private long brokerNanos() {
    try {
      String pid = Files.readString(brokerPidFile, StandardCharsets.UTF_8).trim();
      String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.UTF_8);
      // The command may hold spaces: fields are counted after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS;
    } catch (IOException | RuntimeException unreadable) {
      return -1;
    }
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
