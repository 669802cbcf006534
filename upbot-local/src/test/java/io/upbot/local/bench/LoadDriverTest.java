package io.upbot.local.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load generator's accounting, against an in-process server that counts what it received: every
 * request sent is answered and counted once, answers other than {@code ret 0} are counted as such,
 * and a server that drops connections shows up as errors rather than as a rate.
 */
class LoadDriverTest {
  private static final Duration NO_WARMUP = Duration.ZERO;

  private final AtomicLong received = new AtomicLong();

  /** Every this-many-th request is answered 20 ms late (0 = none). */
  private volatile int delayEvery;

  private Undertow server;

  /** Answers ret 0, except every {@code refuseEvery}-th request (ret 1005); 0 = never. */
  private InetSocketAddress start(int refuseEvery, boolean closeEach) {
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                ex ->
                    ex.getRequestReceiver()
                        .receiveFullBytes(
                            (e, body) -> {
                              long n = received.incrementAndGet();
                              boolean refuse = refuseEvery > 0 && n % refuseEvery == 0;
                              if (closeEach) {
                                e.setPersistent(false);
                              }
                              if (delayEvery > 0 && n % delayEvery == 0) {
                                // Later, by the I/O thread's timer: the other connections are
                                // answered meanwhile.
                                e.dispatch(
                                    SameThreadExecutor.INSTANCE,
                                    () ->
                                        e.getIoThread()
                                            .executeAfter(
                                                () -> answer(e, refuse),
                                                20,
                                                TimeUnit.MILLISECONDS));
                              } else {
                                answer(e, refuse);
                              }
                            }))
            .build();
    server.start();
    return (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
  }

  private static void answer(HttpServerExchange e, boolean refuse) {
    e.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    e.getResponseSender()
        .send(
            ByteBuffer.wrap(
                (refuse ? "{\"ret\":1005,\"msg\":\"busy\"}" : "{\"ret\":0,\"msg\":\"ok\"}")
                    .getBytes(StandardCharsets.UTF_8)));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop();
    }
  }

  private static List<byte[]> requests(InetSocketAddress at) {
    return List.of(
        LoadDriver.post(at, "/x", "t", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
        LoadDriver.post(at, "/x", "t", "{\"b\":[1,2,3]}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shouldCountEveryRequestTheServerReceivedOnceWhenRunningClosedLoop() throws Exception {
    InetSocketAddress at = start(0, false);

    LoadDriver.Result r =
        new LoadDriver(at, requests(at), 4).maxRate(NO_WARMUP, Duration.ofMillis(500));

    assertThat(r.clean()).isTrue();
    assertThat(r.okTotal()).isPositive().isEqualTo(received.get());
    // Without a warm-up, the window's answers are all but those of the drain after it.
    assertThat(r.answered()).isPositive().isLessThanOrEqualTo(r.okTotal());
    assertThat(r.okTotal() - r.answered()).isLessThanOrEqualTo(4);
    assertThat(r.latencyNanos().getTotalCount()).isEqualTo(r.answered());
    assertThat(r.requestsPerSecond()).isEqualTo(r.answered() / 0.5);
  }

  @Test
  void shouldCountAnswersOtherThanRetZeroWhenTheServerRefusesSome() throws Exception {
    InetSocketAddress at = start(3, false);

    LoadDriver.Result r =
        new LoadDriver(at, requests(at), 2).maxRate(NO_WARMUP, Duration.ofMillis(400));

    assertThat(r.clean()).isFalse();
    assertThat(r.errors()).isZero();
    assertThat(r.okTotal() + r.notOk()).isEqualTo(received.get());
    assertThat(r.notOk()).isEqualTo(received.get() / 3);
    assertThat(r.firstProblem()).contains("\"ret\":1005");
  }

  @Test
  void shouldSendAtTheAskedRateAndCountLatencyFromTheDueTimeWhenRunningOpenLoop() throws Exception {
    InetSocketAddress at = start(0, false);

    LoadDriver.Result r =
        new LoadDriver(at, requests(at), 4).constantRate(200, NO_WARMUP, Duration.ofSeconds(1));

    assertThat(r.clean()).isTrue();
    assertThat(r.okTotal()).isEqualTo(received.get());
    // 200/s for one second: the requests due in the window, never more (one is due at its start).
    assertThat(received.get()).isBetween(1L, 201L);
    assertThat(r.latencyNanos().getTotalCount()).isEqualTo(r.answered());
  }

  @Test
  void shouldListTheAnswersThatTookFiveMillisecondsOrMoreWithWhenTheyWereDue() throws Exception {
    delayEvery = 5;
    InetSocketAddress at = start(0, false);
    long before = System.currentTimeMillis();

    LoadDriver.Result r =
        new LoadDriver(at, requests(at), 4).constantRate(100, NO_WARMUP, Duration.ofSeconds(1));

    assertThat(r.clean()).isTrue();
    // Every fifth request waits 20 ms at the server: each is listed (others may be too, on a busy
    // machine, but only when they took 5 ms or more).
    long delayed = r.answered() / 5;
    assertThat(r.slow().stream().filter(s -> s.latencyMicros() >= 20_000).count())
        .isGreaterThanOrEqualTo(delayed - 1);
    for (LoadDriver.Slow s : r.slow()) {
      assertThat(s.latencyMicros()).isBetween(5_000L, 1_000_000L);
      assertThat(s.dueEpochMicros() / 1000).isBetween(before, System.currentTimeMillis());
    }
  }

  @Test
  void shouldStopWithTheReasonWhenTheServerDropsEveryConnection() {
    InetSocketAddress at = start(0, true);
    LoadDriver driver = new LoadDriver(at, requests(at), 3);

    assertThatThrownBy(() -> driver.maxRate(NO_WARMUP, Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("every connection")
        .hasMessageContaining("closed");
    assertThat(received.get()).isEqualTo(3);
  }

  @Test
  void shouldReadContentLengthInAnyLetterCase() {
    byte[] head =
        "HTTP/1.1 200 OK\r\nconTent-LENGTH:  42 \r\nDate: x\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    int end = LoadDriver.indexOf(head, 0, head.length, new byte[] {'\r', '\n', '\r', '\n'});

    assertThat(LoadDriver.contentLength(head, end)).isEqualTo(42);
    assertThat(LoadDriver.contentLength("HTTP/1.1 200 OK\r\n\r\n".getBytes(), 15)).isEqualTo(-1);
  }
}
