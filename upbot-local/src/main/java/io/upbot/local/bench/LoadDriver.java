package io.upbot.local.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * An HTTP/1.1 keep-alive load generator on one NIO thread: precomputed requests over a fixed set of
 * connections, one request in flight per connection, every answer read and its {@code ret} checked.
 *
 * <p>Two modes. Closed loop ({@link #maxRate}): each connection sends its next request as soon as
 * the previous one is answered, which finds the server's maximum rate. Open loop ({@link
 * #constantRate}): requests are due at a constant rate whatever the server does, and a request's
 * latency is counted from when it was due, not from when a free connection sent it, so a stalled
 * server cannot hide its stall by slowing the generator down (coordinated omission).
 *
 * <p>One thread is enough, and is measured: {@link Result#generatorCores} is the CPU time the
 * generator used over the run's wall time, so a report can show the generator was not the
 * bottleneck.
 */
final class LoadDriver {
  private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
  private static final byte[] CONTENT_LENGTH =
      "content-length:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RET_OK = "{\"ret\":0".getBytes(StandardCharsets.US_ASCII);
  private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(2);
  private static final Duration DRAIN = Duration.ofSeconds(15);

  /** An answer this late or later is listed in {@link Result#slow}. */
  static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  static final int MAX_SLOW = 100_000;

  /**
   * One slow answer: when its request was due (wall clock, epoch microseconds, as GC logs' {@code
   * time} decoration reads) and how long it took.
   */
  record Slow(long dueEpochMicros, long latencyMicros) {}

  private final InetSocketAddress target;
  private final List<byte[]> requests;
  private final int connections;

  /**
   * @param target the server
   * @param requests whole HTTP requests (head and body), sent in turn on every connection
   * @param connections keep-alive connections to open
   */
  LoadDriver(InetSocketAddress target, List<byte[]> requests, int connections) {
    if (requests.isEmpty() || connections < 1) {
      throw new IllegalArgumentException("need at least one request and one connection");
    }
    this.target = target;
    this.requests = List.copyOf(requests);
    this.connections = connections;
  }

  /**
   * What one run saw. Rates and latencies count the answers that arrived in the measured window
   * (after the warm-up); {@code notOk} and {@code errors} count the whole run, warm-up and drain
   * included, since any of them makes the run invalid.
   *
   * @param answered answers in the window
   * @param okTotal answers {@code ret 0} over the whole run, warm-up and drain included
   * @param seconds the window's length
   * @param latencyNanos per-request latency of the window's answers
   * @param notOk answers whose status was not 200 or whose body was not {@code ret 0}
   * @param errors connections that failed (refused, reset, closed, unparseable answer)
   * @param firstProblem the first not-ok answer or error, for the report ({@code null} if none)
   * @param generatorCores the generator thread's CPU time over the run's wall time
   * @param generatorCpuSeconds the generator thread's CPU time over the run
   * @param unanswered requests still unanswered when the drain after the window gave up
   * @param slow the window's answers that took {@link #SLOW_NANOS} or longer, in answer order (at
   *     most {@link #MAX_SLOW}), to line up with the servers' GC logs
   */
  record Result(
      long answered,
      long okTotal,
      double seconds,
      Histogram latencyNanos,
      long notOk,
      long errors,
      String firstProblem,
      double generatorCores,
      double generatorCpuSeconds,
      long unanswered,
      List<Slow> slow) {

    /** A phase that did not run. */
    static final Result NONE =
        new Result(0, 0, 0, new Histogram(3), 0, 0, null, 0, 0, 0, List.of());

    /** Answers per second in the window. */
    double requestsPerSecond() {
      return seconds <= 0 ? 0 : answered / seconds;
    }

    /** A latency percentile in milliseconds. */
    double latencyMillis(double percentile) {
      return latencyNanos.getTotalCount() == 0
          ? 0
          : latencyNanos.getValueAtPercentile(percentile) / 1e6;
    }

    /** Whether every request was answered {@code ret 0}. */
    boolean clean() {
      return notOk == 0 && errors == 0 && unanswered == 0;
    }

    /**
     * Several runs as one: their counts and windows added, their latencies in one histogram, the
     * generator's share of the cores weighted by each window's length.
     */
    static Result merge(List<Result> runs) {
      if (runs.isEmpty()) {
        return NONE;
      }
      Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
      long answered = 0;
      long ok = 0;
      double seconds = 0;
      long notOk = 0;
      long errors = 0;
      String first = null;
      double coreSeconds = 0;
      double cpu = 0;
      long unanswered = 0;
      List<Slow> slow = new ArrayList<>();
      for (Result r : runs) {
        latency.add(r.latencyNanos);
        answered += r.answered;
        ok += r.okTotal;
        seconds += r.seconds;
        notOk += r.notOk;
        errors += r.errors;
        first = first == null ? r.firstProblem : first;
        coreSeconds += r.generatorCores * r.seconds;
        cpu += r.generatorCpuSeconds;
        unanswered += r.unanswered;
        slow.addAll(r.slow);
      }
      return new Result(
          answered,
          ok,
          seconds,
          latency,
          notOk,
          errors,
          first,
          seconds <= 0 ? 0 : coreSeconds / seconds,
          cpu,
          unanswered,
          List.copyOf(slow.subList(0, Math.min(slow.size(), MAX_SLOW))));
    }
  }

  /** Closed loop: every connection keeps one request in flight for {@code warmup + measure}. */
  Result maxRate(Duration warmup, Duration measure) throws IOException {
    return run(0, warmup, measure);
  }

  /**
   * Open loop: requests due at {@code perSecond}, each answer's latency counted from when its
   * request was due.
   */
  Result constantRate(double perSecond, Duration warmup, Duration measure) throws IOException {
    if (!(perSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + perSecond);
    }
    return run(perSecond, warmup, measure);
  }

  private static final class Conn {
    final SocketChannel channel;
    final SelectionKey key;
    final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    ByteBuffer out;
    long startNanos;
    int next;
    boolean busy;
    boolean dead;

    Conn(SocketChannel channel, SelectionKey key, int next) {
      this.channel = channel;
      this.key = key;
      this.next = next;
    }
  }

  /** The run's mutable counts, kept by the one generator thread. */
  private static final class Tally {
    final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
    long windowStart;
    long windowEnd;
    long answered;
    long inFlight;
    long epochMicrosAtStart;
    long nanosAtStart;
    final List<Slow> slow = new ArrayList<>();
    long ok;
    long notOk;
    long errors;
    String firstProblem;

    void problem(String what) {
      if (firstProblem == null) {
        firstProblem = what;
      }
    }
  }

  private Result run(double perSecond, Duration warmup, Duration measure) throws IOException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long cpuStart = mx.getCurrentThreadCpuTime();
    long wallStart = System.nanoTime();
    Tally tally = new Tally();
    tally.epochMicrosAtStart = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    tally.nanosAtStart = System.nanoTime();
    List<Conn> conns = new ArrayList<>(connections);
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < connections; i++) {
        SocketChannel ch = SocketChannel.open(target);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.configureBlocking(false);
        Conn c =
            new Conn(ch, ch.register(selector, SelectionKey.OP_READ), (i * 7919) % requests.size());
        c.key.attach(c);
        conns.add(c);
      }
      long start = System.nanoTime();
      tally.windowStart = start + warmup.toNanos();
      tally.windowEnd = tally.windowStart + measure.toNanos();
      ArrayDeque<Conn> idle = new ArrayDeque<>(conns);
      long interval = perSecond > 0 ? Math.max(1, (long) (1e9 / perSecond)) : 0;
      long issued = 0;
      boolean sending = true;
      while (true) {
        long now = System.nanoTime();
        if (sending && now >= tally.windowEnd) {
          sending = false;
        }
        if (sending) {
          if (interval == 0) {
            while (!idle.isEmpty()) {
              send(idle.poll(), now, tally);
            }
          } else {
            long due = (now - start) / interval + 1;
            while (issued < due && !idle.isEmpty()) {
              send(idle.poll(), start + issued * interval, tally);
              issued++;
            }
          }
        }
        if (!sending && (tally.inFlight == 0 || now - tally.windowEnd > DRAIN.toNanos())) {
          long unanswered = tally.inFlight;
          double wall = (System.nanoTime() - wallStart) / 1e9;
          double cpu = (mx.getCurrentThreadCpuTime() - cpuStart) / 1e9;
          return new Result(
              tally.answered,
              tally.ok,
              measure.toNanos() / 1e9,
              tally.latency,
              tally.notOk,
              tally.errors,
              tally.firstProblem,
              wall > 0 ? cpu / wall : 0,
              cpu,
              unanswered,
              List.copyOf(tally.slow));
        }
        if (conns.stream().allMatch(c -> c.dead)) {
          throw new IOException("every connection to " + target + " failed: " + tally.firstProblem);
        }
        long wait;
        if (!sending) {
          wait = TimeUnit.MILLISECONDS.toNanos(10);
        } else if (interval == 0 || idle.isEmpty()) {
          wait = Math.max(0, tally.windowEnd - now);
        } else {
          wait = Math.max(0, start + issued * interval - now);
        }
        // Selector timeouts are whole milliseconds: a shorter wait polls, then parks the rest, so a
        // request goes out when it is due rather than up to a millisecond late.
        int ready;
        if (wait >= 1_000_000) {
          ready = selector.select(wait / 1_000_000);
        } else {
          ready = selector.selectNow();
          if (ready == 0 && wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
        if (ready > 0) {
          long at = System.nanoTime();
          for (SelectionKey k : selector.selectedKeys()) {
            Conn c = (Conn) k.attachment();
            if (!k.isValid() || c.dead) {
              continue;
            }
            if (k.isWritable()) {
              write(c, tally);
            }
            if (k.isValid() && k.isReadable() && read(c, at, tally)) {
              idle.add(c);
            }
          }
          selector.selectedKeys().clear();
        }
      }
    } finally {
      for (Conn c : conns) {
        try {
          c.channel.close();
        } catch (IOException ignored) {
          // Closing a socket the server may already have closed.
        }
      }
    }
  }

  private void send(Conn c, long startNanos, Tally tally) {
    if (c.dead) {
      return;
    }
    c.out = ByteBuffer.wrap(requests.get(c.next));
    c.next = (c.next + 1) % requests.size();
    c.startNanos = startNanos;
    c.busy = true;
    tally.inFlight++;
    write(c, tally);
  }

  private static void write(Conn c, Tally tally) {
    try {
      c.channel.write(c.out);
      c.key.interestOps(
          c.out.hasRemaining()
              ? SelectionKey.OP_READ | SelectionKey.OP_WRITE
              : SelectionKey.OP_READ);
    } catch (IOException e) {
      fail(c, tally, "write: " + e);
    }
  }

  /** Reads what arrived; true when a whole answer is in (and was counted). */
  private static boolean read(Conn c, long now, Tally tally) {
    try {
      int n = c.channel.read(c.in);
      if (n < 0) {
        fail(c, tally, "the server closed a connection");
        return false;
      }
    } catch (IOException e) {
      fail(c, tally, "read: " + e);
      return false;
    }
    byte[] buf = c.in.array();
    int len = c.in.position();
    int headerEnd = indexOf(buf, 0, len, HEADER_END);
    if (headerEnd < 0) {
      if (!c.in.hasRemaining()) {
        fail(c, tally, "an answer's head is larger than " + buf.length + " bytes");
      }
      return false;
    }
    int bodyStart = headerEnd + HEADER_END.length;
    long contentLength = contentLength(buf, headerEnd);
    if (contentLength < 0 || contentLength > buf.length - bodyStart) {
      fail(c, tally, "an answer without a usable Content-Length");
      return false;
    }
    int end = bodyStart + (int) contentLength;
    if (len < end) {
      return false;
    }
    if (!c.busy) {
      fail(c, tally, "an answer to no request");
      return false;
    }
    c.busy = false;
    tally.inFlight--;
    boolean ok =
        startsWith(buf, 0, len, "HTTP/1.1 200 ".getBytes(StandardCharsets.US_ASCII))
            && startsWith(buf, bodyStart, end, RET_OK)
            && end > bodyStart + RET_OK.length
            && (buf[bodyStart + RET_OK.length] == ',' || buf[bodyStart + RET_OK.length] == '}');
    if (ok) {
      tally.ok++;
    } else {
      tally.notOk++;
      tally.problem(new String(buf, 0, Math.min(end, 600), StandardCharsets.UTF_8));
    }
    if (now >= tally.windowStart && now < tally.windowEnd) {
      tally.answered++;
      long latency = Math.min(MAX_LATENCY_NANOS, Math.max(0, now - c.startNanos));
      tally.latency.recordValue(latency);
      if (latency >= SLOW_NANOS && tally.slow.size() < MAX_SLOW) {
        tally.slow.add(
            new Slow(
                tally.epochMicrosAtStart + (c.startNanos - tally.nanosAtStart) / 1000,
                latency / 1000));
      }
    }
    // One request in flight per connection: nothing may follow the answer.
    if (len > end) {
      fail(c, tally, "bytes after an answer");
      return false;
    }
    c.in.clear();
    return true;
  }

  private static void fail(Conn c, Tally tally, String why) {
    tally.errors++;
    tally.problem(why);
    c.dead = true;
    if (c.busy) {
      tally.inFlight--;
    }
    c.busy = false;
    c.key.cancel();
    try {
      c.channel.close();
    } catch (IOException ignored) {
      // Already failing.
    }
  }

  /** The Content-Length of a head ending at {@code headEnd}, or -1. */
  static long contentLength(byte[] buf, int headEnd) {
    int at = 0;
    while (at < headEnd) {
      int eol = indexOf(buf, at, headEnd, new byte[] {'\r', '\n'});
      int lineEnd = eol < 0 ? headEnd : eol;
      if (lineEnd - at > CONTENT_LENGTH.length && startsWithIgnoreCase(buf, at, CONTENT_LENGTH)) {
        String v =
            new String(
                    buf,
                    at + CONTENT_LENGTH.length,
                    lineEnd - at - CONTENT_LENGTH.length,
                    StandardCharsets.US_ASCII)
                .trim();
        try {
          return Long.parseLong(v);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
      at = lineEnd + 2;
    }
    return -1;
  }

  static int indexOf(byte[] buf, int from, int to, byte[] what) {
    outer:
    for (int i = from; i <= to - what.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (buf[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static boolean startsWith(byte[] buf, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (buf[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWithIgnoreCase(byte[] buf, int from, byte[] lowerPrefix) {
    for (int i = 0; i < lowerPrefix.length; i++) {
      byte b = buf[from + i];
      if (b >= 'A' && b <= 'Z') {
        b = (byte) (b + ('a' - 'A'));
      }
      if (b != lowerPrefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** A POST of {@code body} to {@code path} with the headers the API needs. */
  static byte[] post(InetSocketAddress target, String path, String token, byte[] body) {
    String head =
        String.format(
            Locale.ROOT,
            "POST %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: %s\r\n"
                + "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n",
            path,
            target.getHostString(),
            target.getPort(),
            token,
            body.length);
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + body.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(body, 0, all, h.length, body.length);
    return all;
  }
}
