package io.upbot.ingest;

/**
 * The answers of the endpoint (docs/api.md#answers): ret code, HTTP status and the exact msg.
 *
 * <p>The API names no ret for a wrong path or method; {@link #NOT_FOUND} and {@link
 * #METHOD_NOT_ALLOWED} reuse the HTTP status in a 1xxx-style code (1404, 1405) so they cannot
 * collide with the API's 1001–1005.
 */
public enum Ret {
  OK(0, 200, ""),
  PARAMETER_ERROR(1001, 400, "请求参数错误，请稍后再试"),
  /**
   * The body did not arrive within the body deadline: a parameter error (the request is incomplete,
   * and nothing of it was written) under HTTP 408, so that HTTP clients and proxies see a timeout.
   */
  BODY_TIMEOUT(1001, 408, "请求参数错误，请稍后再试"),
  AUTH_FAILED(1002, 401, "鉴权失败"),
  TOO_LARGE(1003, 413, "请求体过大"),
  RATE_LIMITED(1004, 429, "请求过于频繁，请稍后再试"),
  BUSY(1005, 503, "服务繁忙，请稍后再试"),
  NOT_FOUND(1404, 404, "接口不存在"),
  METHOD_NOT_ALLOWED(1405, 405, "请求方法不允许");

  private final int code;
  private final int httpStatus;
  private final String msg;

  Ret(int code, int httpStatus, String msg) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.msg = msg;
  }

  public int code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String msg() {
    return msg;
  }
}
