package io.upbot.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTest {

  /** Every White_Space character of Unicode (PropList.txt), and nothing else in the BMP. */
  static final String WHITE_SPACE =
      "\t\n\u000B\f\r \u0085\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A"
          + "\u2028\u2029\u202F\u205F\u3000";

  @Test
  void shouldCountExactlyTheUnicodeWhiteSpaceCharactersAsWhiteSpace() {
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      assertThat(Text.isWhiteSpace(c)).as("U+%04X", (int) c).isEqualTo(WHITE_SPACE.indexOf(c) >= 0);
    }
  }

  @Test
  void shouldTrimEveryWhiteSpaceCharacterJavaStripMisses() {
    assertThat(Text.trimWhiteSpace("\u00A0IsFX\u00A0")).isEqualTo("IsFX");
    assertThat(Text.trimWhiteSpace("\u202Ft-1\u2007")).isEqualTo("t-1");
    assertThat(Text.trimWhiteSpace("\u0085x\u3000 ")).isEqualTo("x");
    assertThat(Text.trimWhiteSpace(WHITE_SPACE + "a b" + WHITE_SPACE)).isEqualTo("a b");
    assertThat(Text.trimWhiteSpace(WHITE_SPACE)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u001C", "\u001D", "\u001E", "\u001F", "\u200B", "\uFEFF", "\u0000"})
  void shouldKeepCharactersThatAreNotWhiteSpace(String c) {
    assertThat(Text.trimWhiteSpace(c + "x" + c)).isEqualTo(c + "x" + c);
  }

  @Test
  void shouldReturnTheSameStringWhenNothingIsTrimmedAndNullForNull() {
    String s = "IsFXtWUZ3x3hywGl";
    assertThat(Text.trimWhiteSpace(s)).isSameAs(s);
    assertThat(Text.trimWhiteSpace(null)).isNull();
  }

  @Test
  void shouldCountCharactersNotUtf16Units() {
    assertThat(Text.characters("\ud83d\ude00".repeat(64))).isEqualTo(64);
    assertThat(Text.characters("")).isZero();
  }

  @Test
  void shouldTellUnpairedSurrogatesFromPairs() {
    assertThat(Text.isWellFormed("a\ud83d\ude00b")).isTrue();
    assertThat(Text.isWellFormed("")).isTrue();
    assertThat(Text.isWellFormed("\ud800")).isFalse();
    assertThat(Text.isWellFormed("a\udc00")).isFalse();
    assertThat(Text.isWellFormed("\ude00\ud83d")).isFalse();
    assertThat(Text.isWellFormed("\ud83d\ud83d\ude00")).isFalse();
  }
}
