package io.upbot.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ReportMediaEvent request body: a user's head and a batch of items (docs/api.md). {@code
 * unionid} ({@code head.account_info.unionid}) is {@code null} when the client sends none.
 */
public record ReportBody(
    String appid, String openid, String unionid, int deviceType, List<Item> items) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A body without a unionid. */
  public ReportBody(String appid, String openid, int deviceType, List<Item> items) {
    this(appid, openid, null, deviceType, items);
  }

  /** This body with {@code head.account_info.unionid} set: what lets WeCom's joins find it. */
  public ReportBody withUnionid(String newUnionid) {
    return new ReportBody(appid, openid, newUnionid, deviceType, items);
  }

  /** One item; {@code duration} is {@code null} when the event carries none. */
  public record Item(
      String eventId, long eventTimeMs, String code, String traceId, Integer duration) {}

  /** The body as UTF-8 JSON, event times in milliseconds. */
  public byte[] toJson() {
    Map<String, Object> account = new LinkedHashMap<>();
    account.put("account_type", 2);
    account.put("appid", appid);
    account.put("openid", openid);
    if (unionid != null) {
      account.put("unionid", unionid);
    }
    Map<String, Object> head = new LinkedHashMap<>();
    head.put("account_info", account);
    head.put("device_info", Map.of("device_type", deviceType, "uuid", "dev-" + openid));
    List<Map<String, Object>> list =
        items.stream()
            .map(
                i -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("event_id", i.eventId());
                  m.put("event_time", i.eventTimeMs());
                  m.put("media_type", 2);
                  m.put("code", i.code());
                  m.put("trace_id", i.traceId());
                  if (i.duration() != null) {
                    m.put("duration", i.duration());
                  }
                  return m;
                })
            .toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("head", head);
    body.put("items", list);
    try {
      return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot happen for maps of plain values", e);
    }
  }
}
