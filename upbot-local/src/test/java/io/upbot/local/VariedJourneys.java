package io.upbot.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link JourneyGenerator}'s journeys as request bodies whose account type, media type and openid
 * vary from journey to journey (the generator varies the device type): so every breakdown has more
 * than one value, and users come back to a code or another one, making users fewer than sessions.
 */
final class VariedJourneys {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final JourneyGenerator generator;
  private final int users;
  private int n;

  /** Journeys of {@code generator}, by at most {@code users} distinct openids. */
  VariedJourneys(JourneyGenerator generator, int users) {
    this.generator = generator;
    this.users = users;
  }

  /** The next journey starting at {@code startMs}, as the bodies to post, in order. */
  List<byte[]> next(long startMs) {
    int i = n++;
    int accountType = 1 + i % 3;
    // A different period from the account type's, so the two breakdowns do not mirror each other.
    int mediaType = (i / 2) % 3;
    String openid = "e2e-user-" + (i % users);
    List<byte[]> out = new ArrayList<>();
    for (ReportBody b : generator.journey(startMs)) {
      out.add(json(b, openid, accountType, mediaType));
    }
    return out;
  }

  static byte[] json(ReportBody b, String openid, int accountType, int mediaType) {
    Map<String, Object> account = new LinkedHashMap<>();
    account.put("account_type", accountType);
    account.put("appid", b.appid());
    account.put("openid", openid);
    Map<String, Object> head = new LinkedHashMap<>();
    head.put("account_info", account);
    head.put("device_info", Map.of("device_type", b.deviceType(), "uuid", "dev-" + openid));
    List<Map<String, Object>> items = new ArrayList<>();
    for (ReportBody.Item i : b.items()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("event_id", i.eventId());
      m.put("event_time", i.eventTimeMs());
      m.put("media_type", mediaType);
      m.put("code", i.code());
      m.put("trace_id", i.traceId());
      if (i.duration() != null) {
        m.put("duration", i.duration());
      }
      items.add(m);
    }
    try {
      return JSON.writeValueAsString(Map.of("head", head, "items", items))
          .getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen for maps of plain values", e);
    }
  }
}
