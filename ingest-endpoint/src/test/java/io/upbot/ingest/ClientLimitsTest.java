package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bounds on what a client controls, over raw sockets against the real server: body deadline,
 * connection cap, body bytes on the wire and header limits. Each over-limit request gets a bounded,
 * clear answer (JSON where a handler runs, Undertow's bare 400 where its parser refuses first) or a
 * closed connection, and the server keeps serving.
 */
class ClientLimitsTest {
  static final long BODY_TIMEOUT_MS = 1000;
  static TestEndpoint ep;
  static ScheduledExecutorService trickler;

  @BeforeAll
  static void start() {
    ep = new TestEndpoint("--body-timeout", BODY_TIMEOUT_MS + "ms");
    trickler = Executors.newScheduledThreadPool(2);
  }

  @AfterAll
  static void stop() {
    trickler.shutdownNow();
    ep.close();
  }

  static Socket connect(TestEndpoint endpoint) throws IOException {
    Socket s = new Socket("127.0.0.1", endpoint.server.port());
    s.setSoTimeout(15_000);
    return s;
  }

  static String apiHead(String token, String lengthHeader) {
    return "POST "
        + IngestServer.API_PATH
        + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: "
        + token
        + "\r\n"
        + lengthHeader
        + "\r\n\r\n";
  }

  /** Writes one byte of a never-ending body every 50 ms, until the server closes the connection. */
  static void trickle(Socket s) {
    trickler.scheduleAtFixedRate(
        () -> {
          try {
            s.getOutputStream().write(' ');
            s.getOutputStream().flush();
          } catch (IOException closed) {
            throw new IllegalStateException("stop trickling", closed);
          }
        },
        0,
        50,
        TimeUnit.MILLISECONDS);
  }

  /** Everything the server sends until it closes the connection (a reset counts as a close). */
  static String readUntilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "the connection stayed open; got " + out.toString(StandardCharsets.UTF_8), e);
    } catch (IOException reset) {
      // Closed with unread bytes in the server's buffer: the kernel sends a reset.
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static void assertStillServing() {
    assertThat(ep.send(ep.request("/healthz").GET()).status()).isEqualTo(200);
    assertThat(ep.post(IngestServerTest.API_EXAMPLE).ret()).isZero();
  }

  @Test
  void shouldAnswerATrickledBody408AtTheBodyDeadlineAndCloseTheConnection() throws Exception {
    int before = ep.writer.written().size();
    try (Socket s = connect(ep)) {
      s.getOutputStream()
          .write(
              apiHead(TestEndpoint.PLAIN_TOKEN, "Content-Length: 100000")
                  .getBytes(StandardCharsets.UTF_8));
      long t0 = System.nanoTime();
      trickle(s);
      String answer = readUntilClosed(s);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(answer)
          .startsWith("HTTP/1.1 408")
          .containsIgnoringCase("Connection: close")
          .endsWith(
              "{\"ret\":1001,\"msg\":\""
                  + Ret.PARAMETER_ERROR.msg()
                  + "\",\"detail\":\"body: not received within 1000 ms\"}");
      assertThat(ms).isBetween(BODY_TIMEOUT_MS - 100, BODY_TIMEOUT_MS + 3000);
    }
    assertThat(ep.writer.written()).hasSize(before);
    assertThat(ep.server.metrics().requests(Ret.BODY_TIMEOUT)).isPositive();
    assertStillServing();
  }

  @Test
  void shouldCloseAConnectionStillTricklingABodyAfterAnEarlyAnswer() throws Exception {
    try (Socket s = connect(ep)) {
      s.getOutputStream()
          .write(
              apiHead("wrong-token", "Transfer-Encoding: chunked")
                  .getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write("100000\r\n".getBytes(StandardCharsets.UTF_8));
      long t0 = System.nanoTime();
      trickle(s);
      String answer = readUntilClosed(s);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      // The 401 came at once; the connection closed at the body deadline, without a second answer.
      assertThat(answer).startsWith("HTTP/1.1 401").contains("\"ret\":1002").doesNotContain("408");
      assertThat(ms).isBetween(BODY_TIMEOUT_MS - 100, BODY_TIMEOUT_MS + 3000);
    }
    assertStillServing();
  }

  @Test
  void shouldServeABodyThatArrivesSlowlyButWithinTheDeadline() throws Exception {
    byte[] body = IngestServerTest.API_EXAMPLE.getBytes(StandardCharsets.UTF_8);
    int before = ep.writer.written().size();
    try (Socket s = connect(ep)) {
      s.getOutputStream()
          .write(
              apiHead(
                      TestEndpoint.PLAIN_TOKEN,
                      "Content-Length: " + body.length + "\r\nConnection: close")
                  .getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(body, 0, body.length / 2);
      s.getOutputStream().flush();
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> ep.writer.written().size() == before);
      s.getOutputStream().write(body, body.length / 2, body.length - body.length / 2);
      assertThat(readUntilClosed(s))
          .startsWith("HTTP/1.1 200")
          .endsWith("{\"ret\":0,\"msg\":\"\"}");
    }
    assertThat(ep.writer.written()).hasSize(before + 1);
  }

  /**
   * A body with a Content-Length is read in pieces into one array of that length: a body larger
   * than the server's buffers, sent in pieces of odd sizes with pauses, is written exactly as one
   * sent at once.
   */
  @Test
  void shouldAssembleABodyThatArrivesInManyPiecesExactly() throws Exception {
    // Over 16 KiB (the server's buffer size): the filler is an unknown field, read and ignored.
    String filler = "x".repeat(1400);
    String json =
        IngestServerTest.items("wx-app", 40)
            .replace("{\"event_id\"", "{\"filler\":\"" + filler + "\",\"event_id\"");
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    assertThat(body.length).isGreaterThan(3 * 16 * 1024);
    List<byte[]> whole = postAndCollect(body, new int[] {body.length});
    List<byte[]> pieces = postAndCollect(body, new int[] {1, 4095, 7, 16_384, 9_000, 3});
    assertThat(pieces).hasSize(40);
    for (int i = 0; i < whole.size(); i++) {
      // The same records but for received_at, which the server stamps per request.
      assertThat(withoutReceivedAt(pieces.get(i))).isEqualTo(withoutReceivedAt(whole.get(i)));
    }
  }

  /** Posts {@code body} in pieces of the given sizes (the rest at the end), 50 ms apart. */
  private static List<byte[]> postAndCollect(byte[] body, int[] pieces) throws Exception {
    int before = ep.writer.written().size();
    try (Socket s = connect(ep)) {
      OutputStream out = s.getOutputStream();
      out.write(
          apiHead(
                  TestEndpoint.PLAIN_TOKEN,
                  "Content-Length: " + body.length + "\r\nConnection: close")
              .getBytes(StandardCharsets.UTF_8));
      int at = 0;
      for (int size : pieces) {
        int n = Math.min(size, body.length - at);
        out.write(body, at, n);
        out.flush();
        at += n;
        Thread.sleep(50);
      }
      out.write(body, at, body.length - at);
      out.flush();
      assertThat(readUntilClosed(s))
          .startsWith("HTTP/1.1 200")
          .endsWith("{\"ret\":0,\"msg\":\"\"}");
    }
    List<MemoryRecordWriter.Written> all = ep.writer.written();
    List<byte[]> values = new ArrayList<>();
    for (MemoryRecordWriter.Written w : all.subList(before, all.size())) {
      values.add(w.value());
    }
    return values;
  }

  private static String withoutReceivedAt(byte[] value) {
    return new String(value, StandardCharsets.UTF_8).replaceAll("\"received_at\":\\d+", "");
  }

  /**
   * A chunked body has no declared length: the 1003 comes at the body limit, the rest is read and
   * discarded up to MAX_ENTITY_SIZE, and then the connection is closed. The client can never make
   * the server read more than that.
   */
  @Test
  void shouldStopReadingAnEndlessChunkedBodyAtMaxEntitySize() throws Exception {
    try (TestEndpoint patient = new TestEndpoint("--body-timeout", "60s");
        Socket s = connect(patient)) {
      OutputStream out = s.getOutputStream();
      out.write(
          apiHead(TestEndpoint.PLAIN_TOKEN, "Transfer-Encoding: chunked")
              .getBytes(StandardCharsets.UTF_8));
      AtomicLong sent = new AtomicLong();
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      byte[] chunkHead =
          (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      var writing =
          trickler.submit(
              () -> {
                try {
                  while (sent.get() < 256L * 1024 * 1024) {
                    out.write(chunkHead);
                    out.write(chunk);
                    out.write('\r');
                    out.write('\n');
                    sent.addAndGet(chunk.length);
                  }
                } catch (IOException closed) {
                  // The server closed the connection: what this test waits for.
                }
                return sent.get();
              });
      String answer = readUntilClosed(s);
      assertThat(answer).startsWith("HTTP/1.1 413").contains("\"ret\":1003");
      long total = writing.get(30, TimeUnit.SECONDS);
      // Socket buffers on both sides hold a few MiB more than the server read.
      assertThat(total).isLessThan(Limits.DRAIN_LIMIT + 16L * 1024 * 1024);
    }
  }

  private static String rawGet(String headers) throws IOException {
    try (Socket s = connect(ep)) {
      s.getOutputStream()
          .write(
              ("GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      return readUntilClosed(s);
    }
  }

  @Test
  void shouldRefuseAHeaderBlockOverMaxHeaderSizeWithUndertowsBare400() throws Exception {
    String under = "X-Pad: " + "a".repeat(Limits.MAX_HEADER_SIZE - 200) + "\r\n";
    assertThat(rawGet(under)).startsWith("HTTP/1.1 200").contains("serving");
    String over = "X-Pad: " + "a".repeat(Limits.MAX_HEADER_SIZE) + "\r\n";
    assertThat(rawGet(over))
        .satisfiesAnyOf(
            a -> assertThat(a).startsWith("HTTP/1.1 400").doesNotContain("ret"),
            a -> assertThat(a).isEmpty());
    assertStillServing();
  }

  @Test
  void shouldRefuseMoreThanMaxHeadersWithUndertowsBare400() throws Exception {
    // Host and Connection are two of them.
    assertThat(rawGet(headers(Limits.MAX_HEADERS - 2))).startsWith("HTTP/1.1 200");
    assertThat(rawGet(headers(Limits.MAX_HEADERS)))
        .satisfiesAnyOf(
            a -> assertThat(a).startsWith("HTTP/1.1 400").doesNotContain("ret"),
            a -> assertThat(a).isEmpty());
    assertStillServing();
  }

  private static String headers(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("X-H").append(i).append(": v\r\n");
    }
    return sb.toString();
  }

  @Test
  void shouldRefuseMoreThanMaxParametersWithUndertowsBare400() throws Exception {
    String over =
        IngestServer.API_PATH + "?validate=true" + "&a".repeat(IngestServer.MAX_QUERY_PARAMETERS);
    try (Socket s = connect(ep)) {
      s.getOutputStream()
          .write(
              ("POST " + over + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      assertThat(readUntilClosed(s))
          .satisfiesAnyOf(
              a -> assertThat(a).startsWith("HTTP/1.1 400").doesNotContain("ret"),
              a -> assertThat(a).isEmpty());
    }
    assertStillServing();
  }

  /** Cookies are never parsed (the endpoint reads none), so many of them cost only header bytes. */
  @Test
  void shouldAnswerManyCookiesNormallyBecauseTheyAreNeverParsed() throws Exception {
    StringBuilder cookies = new StringBuilder("Cookie: ");
    for (int i = 0; i < Limits.MAX_COOKIES * 4; i++) {
      cookies.append(i == 0 ? "" : "; ").append("c").append(i).append("=v");
    }
    assertThat(rawGet(cookies + "\r\n")).startsWith("HTTP/1.1 200").contains("serving");
  }

  /**
   * At the connection cap the server stops accepting: a new connection completes its TCP handshake
   * into the kernel's backlog, gets no answer while the cap holds, and is served once a connection
   * closes.
   */
  @Test
  void shouldHoldNewConnectionsInTheBacklogAtTheCapAndServeThemWhenOneCloses() throws Exception {
    int cap = 4;
    try (TestEndpoint capped = new TestEndpoint("--max-connections", String.valueOf(cap))) {
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < cap; i++) {
          Socket s = connect(capped);
          open.add(s);
          s.getOutputStream()
              .write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
          assertThat(readAnswer(s)).startsWith("HTTP/1.1 200");
        }
        try (Socket waiting = connect(capped)) {
          waiting
              .getOutputStream()
              .write(
                  "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                      .getBytes(StandardCharsets.UTF_8));
          waiting.setSoTimeout(1500);
          assertThatThrownBy(() -> waiting.getInputStream().read())
              .isInstanceOf(SocketTimeoutException.class);
          open.remove(0).close();
          waiting.setSoTimeout(10_000);
          assertThat(readUntilClosed(waiting)).startsWith("HTTP/1.1 200").contains("serving");
        }
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
    }
  }

  /** One answer on a kept-alive connection (its JSON body ends with a brace). */
  private static String readAnswer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    while (!out.toString(StandardCharsets.UTF_8).endsWith("}") && (n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
