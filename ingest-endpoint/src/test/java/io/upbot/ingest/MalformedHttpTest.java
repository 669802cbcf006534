package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.upbot.schema.Fixtures;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Broken HTTP over raw sockets: a clear answer or a closed connection, never a hang, and the server
 * lives on.
 */
class MalformedHttpTest {
  static TestEndpoint ep;

  @BeforeAll
  static void start() {
    ep = new TestEndpoint();
  }

  @AfterAll
  static void stop() {
    ep.close();
  }

  /**
   * Sends raw bytes, optionally half-closes, and reads until the server closes or answers in full.
   */
  private static String exchange(String raw, boolean halfClose) throws IOException {
    try (Socket s = new Socket("127.0.0.1", ep.server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      if (halfClose) {
        s.shutdownOutput();
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          String sofar = out.toString(StandardCharsets.UTF_8);
          int headerEnd = sofar.indexOf("\r\n\r\n");
          if (headerEnd > 0 && sofar.contains("}")) {
            break;
          }
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError(
            "the server hung; got so far: " + out.toString(StandardCharsets.UTF_8), e);
      } catch (IOException resetIsFine) {
        // A reset is a closed connection: acceptable for garbage.
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldStampReceivedAtWhenTheWholeBodyHasArrived() throws Exception {
    byte[] body = Fixtures.bytes("requests/valid/api-example.json");
    int before = ep.writer.written().size();
    try (Socket s = new Socket("127.0.0.1", ep.server.port())) {
      s.setSoTimeout(10_000);
      String head =
          "POST "
              + IngestServer.API_PATH
              + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Authorization: "
              + TestEndpoint.PLAIN_TOKEN
              + "\r\nContent-Length: "
              + body.length
              + "\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().write(body, 0, body.length / 2);
      s.getOutputStream().flush();
      // The client is slow: the server's clock moves on before the rest of the body arrives.
      await()
          .during(Duration.ofMillis(200))
          .atMost(Duration.ofSeconds(2))
          .until(() -> ep.writer.written().size() == before);
      ep.clockMillis.set(TestEndpoint.RECEIVED_AT + 5_000);
      s.getOutputStream().write(body, body.length / 2, body.length - body.length / 2);
      s.getOutputStream().flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> ep.writer.written().size() == before + 1);
    } finally {
      ep.clockMillis.set(TestEndpoint.RECEIVED_AT);
    }
    MediaEvent written = MediaEventCodec.decode(ep.writer.written().get(before).value());
    assertThat(written.receivedAt()).isEqualTo(TestEndpoint.RECEIVED_AT + 5_000);
  }

  private static void assertStillServing() {
    assertThat(ep.send(ep.request("/healthz").GET()).status()).isEqualTo(200);
    assertThat(ep.post(IngestServerTest.API_EXAMPLE).ret()).isZero();
  }

  @Test
  void shouldRefuseAGarbageRequestLineAndKeepServing() throws Exception {
    String answer = exchange("GARBAGE\r\n\r\n", false);
    assertThat(answer)
        .satisfiesAnyOf(
            a -> assertThat(a).startsWith("HTTP/1.1 400"), a -> assertThat(a).isEmpty());
    assertStillServing();
  }

  @Test
  void shouldAnswerABodyCutShortWithoutHanging() throws Exception {
    String answer =
        exchange(
            "POST "
                + IngestServer.API_PATH
                + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                + TestEndpoint.PLAIN_TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"head\":",
            true);
    assertThat(answer)
        .satisfiesAnyOf(a -> assertThat(a).contains("\"ret\":1001"), a -> assertThat(a).isEmpty());
    assertStillServing();
  }

  @Test
  void shouldAnswerAnInvalidChunkedBodyWithoutHanging() throws Exception {
    String answer =
        exchange(
            "POST "
                + IngestServer.API_PATH
                + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                + TestEndpoint.PLAIN_TOKEN
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n",
            true);
    assertThat(answer)
        .satisfiesAnyOf(
            a -> assertThat(a).startsWith("HTTP/1.1 400"), a -> assertThat(a).isEmpty());
    assertStillServing();
  }

  @Test
  void shouldAnswerAPipelinedPairOfRequestsInOrder() throws Exception {
    String one =
        "POST "
            + IngestServer.API_PATH
            + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
            + TestEndpoint.PLAIN_TOKEN
            + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    String two = "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", ep.server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write((one + two).getBytes(StandardCharsets.UTF_8));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(all.indexOf("\"ret\":1001")).isPositive();
      assertThat(all.indexOf("\"ret\":1404")).isGreaterThan(all.indexOf("\"ret\":1001"));
    }
  }

  private static String post(String target) throws IOException {
    String b = IngestServerTest.API_EXAMPLE;
    return exchange(
        "POST "
            + target
            + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
            + TestEndpoint.PLAIN_TOKEN
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + b.getBytes(StandardCharsets.UTF_8).length
            + "\r\nConnection: close\r\n\r\n"
            + b,
        false);
  }

  @Test
  void shouldAnswerManyQueryParametersWithJson() throws Exception {
    StringBuilder q = new StringBuilder("?validate=true");
    for (int i = 0; i < 1100; i++) {
      q.append("&p").append(i).append("=1");
    }
    assertThat(post(IngestServer.API_PATH + q)).startsWith("HTTP/1.1 200").contains("\"ret\":0");
  }

  /**
   * Well-formed escapes of bytes that are not UTF-8: decoded by the endpoint, so answered in JSON.
   */
  @Test
  void shouldAnswerAQueryOrPathThatIsNotUtf8WithJson() throws Exception {
    assertThat(post(IngestServer.API_PATH + "?validate=%C0%AF"))
        .startsWith("HTTP/1.1 400")
        .contains("\"detail\":\"validate: must be true or false\"");
    assertThat(
            exchange("GET /upbot/%C0%AF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
        .startsWith("HTTP/1.1 404")
        .contains("\"ret\":1404");
    assertThat(
            exchange("GET /upbot/api/%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
        .startsWith("HTTP/1.1 404")
        .contains("\"ret\":1404");
    // The endpoint's own paths still match when percent-encoded.
    assertThat(exchange("GET /health%7A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
        .startsWith("HTTP/1.1 200")
        .contains("serving");
    assertStillServing();
  }

  /**
   * A malformed escape ({@code %zz}) is refused by Undertow's request parser before any handler
   * runs, with its fixed bare 400 (no hook replaces it): the one answer that is not JSON. The
   * server lives on.
   */
  @Test
  void shouldCloseAMalformedEscapeWithUndertowsBare400AndKeepServing() throws Exception {
    assertThat(post(IngestServer.API_PATH + "?validate=%zz")).startsWith("HTTP/1.1 400");
    assertThat(exchange("GET /upbot/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
        .startsWith("HTTP/1.1 400");
    assertStillServing();
  }
}
