package io.upbot.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlTextTest {

  @Test
  void shouldReplaceNulWithReplacementCharacter() {
    assertThat(SqlText.clean("a\u0000b\u0000")).isEqualTo("a\uFFFDb\uFFFD");
  }

  @Test
  void shouldReplaceUnpairedSurrogatesButKeepPairs() {
    String grinning = "\uD83D\uDE00";
    assertThat(SqlText.clean("x" + grinning + "y")).isEqualTo("x" + grinning + "y");
    assertThat(SqlText.clean("\uD83Dx\uDE00")).isEqualTo("\uFFFDx\uFFFD");
    assertThat(SqlText.clean("end\uD83D")).isEqualTo("end\uFFFD");
  }

  @Test
  void shouldReturnCleanTextItselfAndNullAsNull() {
    String clean = "活码 IsFXtWUZ3x3hywGl";
    assertThat(SqlText.clean(clean)).isSameAs(clean);
    assertThat(SqlText.clean(null)).isNull();
  }
}
