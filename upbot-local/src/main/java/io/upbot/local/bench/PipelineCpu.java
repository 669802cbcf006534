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
  private static final Pattern POOL_NUMBER = Pattern.compile("#\\d+$");
  private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

  static final String OTHER_JAVA_THREADS = "other Java threads";
  static final String JVM_THREADS = "the JVM's own threads (GC, compilers)";

  /** What the JVM's own threads do, as {@link Snapshot#jvmThreads} lists them. */
  static final String PAUSES = "collector's pauses (GC Thread)";

  static final String REFINEMENT = "remembered-set refinement (G1 Refine)";
  static final String MARKING = "concurrent marking (G1 Conc, Main Marker)";
  static final String COMPILERS = "compilers (C1, C2)";
  static final String VM_THREAD = "VM thread (safepoints)";
  static final List<String> KINDS_IN_ORDER =
      List.of(PAUSES, REFINEMENT, MARKING, COMPILERS, VM_THREAD);

  /**
   * The JVM's own threads by the name the JVM gives them (as /proc shows it, cut to 15 chars,
   * without a pool's number), and their kind.
   */
  static final Map<String, String> JVM_KINDS =
      Map.of(
          "GC Thread", PAUSES,
          "G1 Refine", REFINEMENT,
          "G1 Conc", MARKING,
          "G1 Main Marker", MARKING,
          "C1 CompilerThre", COMPILERS,
          "C2 CompilerThre", COMPILERS,
          "VM Thread", VM_THREAD);

  static final String UNLISTED = "other JVM threads, and threads that ended meanwhile";

  /** A Java thread's group and the CPU nanoseconds it has spent, as one snapshot saw them. */
  record ThreadCpu(String group, long nanos) {}

  /**
   * CPU nanoseconds of this JVM and of the broker: at one moment ({@link #at}), with the Java
   * threads by id in {@code byThread}; or spent over an interval ({@link #minus}), with the Java
   * threads by group in {@code byGroup}. {@code jvmByKind}: the JVM's own threads by what they do
   * (from /proc, empty where it cannot be read).
   */
  record Snapshot(
      long processNanos,
      long brokerNanos,
      Map<String, Long> byGroup,
      Map<String, Long> jvmByKind,
      Map<Long, ThreadCpu> byThread) {

    /** What was spent, by thread group. */
    Snapshot(long processNanos, long brokerNanos, Map<String, Long> byGroup) {
      this(processNanos, brokerNanos, byGroup, Map.of(), Map.of());
    }

    /** The CPU spent so far, at one moment. */
    static Snapshot at(
        long processNanos,
        long brokerNanos,
        Map<String, Long> jvmByKind,
        Map<Long, ThreadCpu> byThread) {
      return new Snapshot(processNanos, brokerNanos, Map.of(), jvmByKind, byThread);
    }

    /** What was spent between {@code earlier} and this snapshot. */
    Snapshot minus(Snapshot earlier) {
      return new Snapshot(
          processNanos - earlier.processNanos,
          brokerNanos - earlier.brokerNanos,
          spentByGroup(byThread, earlier.byThread),
          difference(jvmByKind, earlier.jvmByKind),
          Map.of());
    }

    /**
     * This snapshot with every thread {@code earlier} saw that has ended since, as it was then: a
     * thread known to end between the two (the load's own, stopped after {@code earlier}) is then
     * charged to its group up to {@code earlier}, not left to no group by {@link #minus}.
     */
    Snapshot keeping(Snapshot earlier) {
      Map<Long, ThreadCpu> threads = new HashMap<>(earlier.byThread);
      threads.putAll(byThread);
      return at(processNanos, brokerNanos, jvmByKind, threads);
    }

    /**
     * What each thread spent since {@code then} (a thread started since: all it spent), by group.
     * Per thread, not per group: a pool's thread that ended meanwhile took its whole past time out
     * of its group's sum, so a group of short-lived threads (the load generator's HTTP workers, a
     * checkpoint's async threads) came out negative and its time fell to the JVM's own threads. A
     * thread that ended is in no group; its time in the interval stays the process's.
     */
    private static Map<String, Long> spentByGroup(
        Map<Long, ThreadCpu> now, Map<Long, ThreadCpu> then) {
      Map<String, Long> m = new HashMap<>();
      now.forEach(
          (id, t) -> {
            ThreadCpu before = then.get(id);
            m.merge(t.group(), t.nanos() - (before == null ? 0 : before.nanos()), Long::sum);
          });
      return m;
    }

    private static Map<String, Long> difference(Map<String, Long> now, Map<String, Long> then) {
      Map<String, Long> d = new HashMap<>(now);
      then.forEach((k, v) -> d.merge(k, -v, Long::sum));
      return d;
    }

    /**
     * The JVM's own threads by kind, in microseconds per event, in {@link #KINDS_IN_ORDER}: the
     * part of {@link #JVM_THREADS} each kind took, then the rest ({@link #UNLISTED}).
     */
    Map<String, Double> jvmThreads(long events) {
      Map<String, Double> m = new LinkedHashMap<>();
      double per = Math.max(1, events) * 1000.0;
      long kinds = 0;
      for (String kind : KINDS_IN_ORDER) {
        Long nanos = jvmByKind.get(kind);
        if (nanos != null) {
          m.put(kind, round1(nanos / per));
          kinds += nanos;
        }
      }
      if (!m.isEmpty()) {
        // The process's CPU less every Java thread listed at the end and the kinds above: the
        // JVM's other threads, and threads that ended during the interval (their time is still
        // the process's but no longer any thread's).
        long java = byGroup.values().stream().mapToLong(Long::longValue).sum();
        m.put(UNLISTED, round1(Math.max(0, processNanos - java - kinds) / per));
      }
      return m;
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
    Map<Long, ThreadCpu> byThread = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(info.getThreadId());
      if (cpu > 0) {
        byThread.put(info.getThreadId(), new ThreadCpu(group(info.getThreadName()), cpu));
      }
    }
    long process =
        ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getProcessCpuTime()
            : byThread.values().stream().mapToLong(ThreadCpu::nanos).sum();
    return Snapshot.at(process, brokerNanos(), jvmByKind(Path.of("/proc/self/task")), byThread);
  }

  /**
   * CPU nanoseconds of this JVM's own threads by kind ({@link #JVM_KINDS}), from each task's name
   * and times under {@code tasks}; empty where they cannot be read (not Linux).
   */
  static Map<String, Long> jvmByKind(Path tasks) {
    Map<String, Long> m = new HashMap<>();
    try (var dirs = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) dirs::iterator) {
        try {
          // "GC Thread#1", "G1 Refine#0", "C2 CompilerThre": the pool's number after '#'.
          String name =
              POOL_NUMBER.matcher(Files.readString(task.resolve("comm")).trim()).replaceAll("");
          String kind = JVM_KINDS.get(name);
          if (kind != null) {
            m.merge(kind, ticks(Files.readString(task.resolve("stat"))) * TICK_NANOS, Long::sum);
          }
        } catch (IOException | RuntimeException gone) {
          // The thread ended while it was read: its time is no one's to list.
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      return Map.of();
    }
    return m;
  }

  /** User + system ticks of a /proc stat line; the command may hold spaces and parentheses. */
  static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
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
      return ticks(Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.UTF_8))
          * TICK_NANOS;
    } catch (IOException | RuntimeException unreadable) {
      return -1;
    }
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
