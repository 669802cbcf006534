package io.upbot.wecom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code add_member} change of a customer group, as the receiver stores it on the callbacks
 * topic until the resolver has written its join records (docs/wecom.md#the-outbox).
 *
 * @param key the deduplication key ({@link #dedupKey})
 * @param corpId the corp (the message's ToUserName)
 * @param chatId the group
 * @param createTime the event's CreateTime, epoch seconds
 * @param joinScene JoinScene, or null
 * @param memChangeCnt MemChangeCnt, or null
 * @param userids MemChangeList's userids (empty when WeCom sent none)
 * @param curMemVer CurMemVer, or null
 * @param receivedAt when the receiver stored it, epoch milliseconds
 */
public record PendingCallback(
    String key,
    String corpId,
    String chatId,
    long createTime,
    Integer joinScene,
    Integer memChangeCnt,
    List<String> userids,
    String curMemVer,
    long receivedAt) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public PendingCallback {
    userids = List.copyOf(userids);
  }

  /**
   * The deduplication key: the same change resent by WeCom (its retries re-encrypt and re-sign the
   * same message) has the same key; two changes do not. Fields joined with {@code |}: corp, ChatId,
   * UpdateDetail, JoinScene, MemChangeCnt, CreateTime, CurMemVer and the MemChangeList.
   */
  public static String dedupKey(
      String corpId,
      String chatId,
      String updateDetail,
      Integer joinScene,
      Integer memChangeCnt,
      long createTime,
      String curMemVer,
      List<String> userids) {
    return String.join(
        "|",
        corpId,
        chatId,
        updateDetail,
        String.valueOf(joinScene),
        String.valueOf(memChangeCnt),
        Long.toString(createTime),
        String.valueOf(curMemVer),
        String.join(",", userids));
  }

  /** The topic's value: JSON, {@code v} 1. */
  public byte[] encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("v", 1);
    o.put("key", key);
    o.put("corp_id", corpId);
    o.put("chat_id", chatId);
    o.put("create_time", createTime);
    o.put("join_scene", joinScene);
    o.put("mem_change_cnt", memChangeCnt);
    com.fasterxml.jackson.databind.node.ArrayNode list = o.putArray("userids");
    userids.forEach(list::add);
    o.put("cur_mem_ver", curMemVer);
    o.put("received_at", receivedAt);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a stored value.
   *
   * @throws IOException when it is not one (the resolver dead-letters it)
   */
  public static PendingCallback decode(byte[] bytes) throws IOException {
    JsonNode n = JSON.readTree(bytes);
    if (n == null || !n.isObject() || n.path("v").asInt() != 1) {
      throw new IOException("not a version 1 pending callback");
    }
    String key = n.path("key").textValue();
    String chatId = n.path("chat_id").textValue();
    if (key == null || chatId == null || !n.path("create_time").canConvertToLong()) {
      throw new IOException("key, chat_id or create_time missing");
    }
    List<String> userids = new ArrayList<>();
    n.path("userids").forEach(u -> userids.add(u.asText()));
    return new PendingCallback(
        key,
        n.path("corp_id").asText(""),
        chatId,
        n.path("create_time").asLong(),
        n.path("join_scene").isInt() ? n.get("join_scene").intValue() : null,
        n.path("mem_change_cnt").isInt() ? n.get("mem_change_cnt").intValue() : null,
        userids,
        n.path("cur_mem_ver").textValue(),
        n.path("received_at").asLong());
  }
}
