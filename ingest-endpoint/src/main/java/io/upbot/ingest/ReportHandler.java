package io.upbot.ingest;

import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.SameThreadExecutor;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /upbot/api/ReportMediaEvent}: the checks before the body, then the body's validation,
 * then the write, in the order of docs/api.md#the-order-of-checks; each check answers and stops at
 * the first failure. The answer to a written batch comes from its {@link BatchAcknowledgement}.
 */
final class ReportHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReportHandler.class);

  private final IngestConfig config;
  private final TokenStore tokens;
  private final RateLimiter limiter;
  private final BatchValidator validator;
  private final RecordWriter writer;
  private final LongSupplier clockMillis;
  private final Answers answers;
  private final Metrics metrics;
  private final Drain drain;

  ReportHandler(
      IngestConfig config,
      TokenStore tokens,
      RateLimiter limiter,
      RecordWriter writer,
      LongSupplier clockMillis,
      Answers answers,
      Metrics metrics,
      Drain drain) {
    this.config = config;
    this.tokens = tokens;
    this.limiter = limiter;
    this.validator = new BatchValidator(config.maxItems(), config.maxBodyBytes());
    this.writer = writer;
    this.clockMillis = clockMillis;
    this.answers = answers;
    this.metrics = metrics;
    this.drain = drain;
  }

  /** What the checks before the body found: the token and how to read and treat the body. */
  private record Checked(TokenStore.Token token, boolean gzip, boolean validateOnly) {}

  @Override
  public void handleRequest(HttpServerExchange ex) {
    TokenStore.Token token = tokens.lookup(RequestHeaders.presentedToken(ex));
    if (token == null) {
      answers.send(ex, Answer.of(Ret.AUTH_FAILED));
      return;
    }
    Answer typeProblem = RequestHeaders.contentTypeProblem(ex);
    if (typeProblem != null) {
      answers.send(ex, typeProblem);
      return;
    }
    RequestHeaders.Query query = RequestHeaders.Query.of(ex.getQueryString());
    if (query.problem() != null) {
      answers.send(ex, query.problem());
      return;
    }
    RequestHeaders.Encoding encoding = RequestHeaders.encoding(ex);
    if (encoding == RequestHeaders.Encoding.UNKNOWN) {
      answers.send(ex, RequestHeaders.UNKNOWN_ENCODING);
      return;
    }
    receive(ex, new Checked(token, encoding == RequestHeaders.Encoding.GZIP, query.validateOnly()));
  }

  /**
   * Refuses a body declared too large before reading it, otherwise reads it with the async
   * receiver.
   */
  private void receive(HttpServerExchange ex, Checked checked) {
    int limit = config.maxBodyBytes();
    // The limit applies to the decompressed body (Bodies.gunzip enforces it); gzip bytes get a
    // margin
    // because a body stored at level 0 is slightly larger compressed than decompressed.
    int wireLimit = checked.gzip() ? Bodies.gzipWireLimit(limit) : limit;
    Answer tooLarge =
        new Answer(
            Ret.TOO_LARGE,
            checked.gzip()
                ? "body: more than " + wireLimit + " compressed bytes"
                : "body: more than " + limit + " bytes");
    long contentLength = ex.getRequestContentLength();
    if (contentLength > wireLimit) {
      // Refused before reading. Undertow drains the unread body after the answer so the client,
      // still
      // sending, reads the answer instead of a reset; an absurd body closes the connection instead.
      if (contentLength > Limits.DRAIN_LIMIT) {
        ex.setPersistent(false);
      }
      answers.send(ex, tooLarge);
      return;
    }
    ex.getRequestReceiver().setMaxBufferSize(wireLimit);
    Receiver.ErrorCallback failed =
        (e, error) -> {
          if (error instanceof RequestTooBigException
              || error instanceof Receiver.RequestToLargeException) {
            answers.send(e, tooLarge);
          } else {
            LOG.debug("Request body could not be read: {}", error.toString());
            e.setPersistent(false);
            answers.send(e, Answer.parameter("body: could not be read"));
          }
        };
    BodyReader.read(
        ex,
        (e, bytes) -> {
          if (BodyDeadline.expired(e)) {
            return; // Answered at the body deadline: nothing of it may be written.
          }
          // Keeps the exchange open past this callback: it is answered from the Kafka ack.
          // received_at is stamped once the whole body is here, not when its first byte came: a
          // slow client must not make its events look older than the ones written before them.
          e.dispatch(
              SameThreadExecutor.INSTANCE,
              () -> afterBody(e, checked, bytes, clockMillis.getAsLong()));
        },
        failed);
  }

  /**
   * Validates the body, checks the appid and the rate limit, then writes (or, to validate only,
   * answers).
   */
  private void afterBody(HttpServerExchange ex, Checked checked, byte[] raw, long receivedAt) {
    if (!drain.enter(ex)) {
      answers.send(ex, Answer.of(Ret.BUSY));
      return;
    }
    try {
      BatchValidator.Result result = validator.validateBody(raw, checked.gzip(), receivedAt);
      if (result instanceof BatchValidator.Rejected r) {
        LOG.debug("Rejected batch: {}", r.answer());
        answers.send(ex, r.answer());
        return;
      }
      BatchValidator.Accepted batch = (BatchValidator.Accepted) result;
      if (!checked.token().allows(batch.appid())) {
        answers.send(ex, Answer.of(Ret.AUTH_FAILED));
        return;
      }
      long retryAfter =
          limiter.acquire(checked.token(), batch.events().size(), !checked.validateOnly());
      if (retryAfter > 0) {
        answers.send(ex, Answer.of(Ret.RATE_LIMITED), retryAfter);
        return;
      }
      if (checked.validateOnly()) {
        answers.send(ex, Answer.of(Ret.OK));
        return;
      }
      write(ex, batch, receivedAt);
    } catch (RuntimeException e) {
      LOG.error("Unexpected error handling a batch", e);
      answers.send(ex, Answer.of(Ret.BUSY));
    }
  }

  /**
   * Hands each record to the writer; the batch's acknowledgement answers. The records are encoded
   * together (one generator per batch), and a key is built once per run of items on the same trace
   * (a batch is usually one user's journey).
   */
  private void write(HttpServerExchange ex, BatchValidator.Accepted batch, long receivedAt) {
    List<MediaEvent> events = batch.events();
    BatchAcknowledgement ack =
        BatchAcknowledgement.start(
            ex, events.size(), config.deadline().toMillis(), answers, metrics);
    byte[][] values = MediaEventCodec.encodeAll(events);
    Consumer<Exception> acked = ack::acked;
    String topic = config.topic();
    String lastTrace = null;
    byte[] key = null;
    for (int i = 0; i < values.length; i++) {
      if (ack.isAnswered()) {
        break;
      }
      MediaEvent e = events.get(i);
      String trace = e.trace();
      if (key == null || !trace.equals(lastTrace)) {
        key = e.kafkaKey().getBytes(StandardCharsets.UTF_8);
        lastTrace = trace;
      }
      try {
        writer.send(topic, key, values[i], receivedAt, acked);
      } catch (RuntimeException refused) {
        // Buffer full, metadata unknown, producer closing: answer at once, never block.
        ack.fail(refused.getClass().getSimpleName());
        break;
      }
    }
  }
}
