package io.upbot.local.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP ceiling U: a bare Undertow handler on a free port that reads the whole body on the I/O
 * thread (as the endpoint does), parses it with Jackson and answers {@code ret 0}, writing nothing
 * anywhere. Whatever the endpoint does on top of this (validation, records, Kafka) is its cost.
 */
final class CeilingHandler implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] OK = "{\"ret\":0,\"msg\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BAD =
      "{\"ret\":1001,\"msg\":\"parameter error\"}".getBytes(StandardCharsets.UTF_8);

  private final Undertow undertow;

  private CeilingHandler(Undertow undertow) {
    this.undertow = undertow;
  }

  /** Starts on 127.0.0.1 and a free port, with Undertow's default I/O threads (as the endpoint). */
  static CeilingHandler start() {
    Undertow u =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                ex ->
                    ex.getRequestReceiver()
                        .receiveFullBytes(
                            (e, body) -> {
                              boolean parsed;
                              try {
                                parsed = JSON.readTree(body).isObject();
                              } catch (IOException notJson) {
                                parsed = false;
                              }
                              e.getResponseHeaders()
                                  .put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
                              e.getResponseSender().send(ByteBuffer.wrap(parsed ? OK : BAD));
                            }))
            .build();
    u.start();
    return new CeilingHandler(u);
  }

  InetSocketAddress address() {
    return (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
  }

  @Override
  public void close() {
    undertow.stop();
  }
}
