package io.upbot.console;

import java.time.LocalDate;

/**
 * What a page or figure is about: an appid and a code (either may be null where a figure does not
 * need it), the local days {@code from}..{@code to} inclusive, and for dead letters an optional
 * reason.
 */
public record Scope(String appid, String code, LocalDate from, LocalDate to, String reason) {

  public Scope withAppid(String a) {
    return new Scope(a, null, from, to, null);
  }

  public Scope withCode(String c) {
    return new Scope(appid, c, from, to, null);
  }

  public Scope withReason(String r) {
    return new Scope(null, null, from, to, r);
  }
}
