package io.upbot.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium on a running console: opens pages, waits for their charts, reads the figures'
 * cells by row key and column, checks the browser's console for warnings and errors, and saves a
 * screenshot of each page. Shared by the console's browser tests and the local stack's.
 */
public final class ConsoleBrowser implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final ChromeDriver driver;
  private final String base;
  private final Path shots;

  private ConsoleBrowser(ChromeDriver driver, String base, Path shots) {
    this.driver = driver;
    this.base = base;
    this.shots = shots;
  }

  /**
   * Skips the calling test, saying what to install, when Chromium or its driver is missing; fails
   * it instead under CI ({@code CI=true}), where {@code .ci/run} installs both, so a broken install
   * cannot pass as a skipped browser test.
   */
  public static void assumeAvailable(String test) {
    boolean available = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    String missing =
        test
            + ": needs /usr/bin/chromium and /usr/bin/chromedriver"
            + " (apt-get install -y chromium chromium-driver)";
    if (!available && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError(missing + "; CI=true, so this fails rather than skips");
    }
    Assumptions.assumeTrue(available, missing + "; skipped");
  }

  /**
   * Starts headless Chromium (its profile under {@code scratch}) for the console at {@code base}
   * ({@code http://host:port}); screenshots go to {@code shots}.
   */
  public static ConsoleBrowser start(String base, Path shots, Path scratch) throws IOException {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        "--user-data-dir=" + Files.createTempDirectory(scratch, "chrome-profile"));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    Files.createDirectories(shots);
    return new ConsoleBrowser(new ChromeDriver(service, options), base, shots);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Loads {@code path} (from {@code /}) without any check, e.g. to log in. */
  public void get(String path) {
    driver.get(base + path);
  }

  /**
   * Opens {@code path}, waits for its charts, asserts it shows no error, saves {@code name}.png and
   * asserts the browser logged no warning or error.
   */
  public void open(String name, String path) throws IOException {
    driver.get(base + path);
    awaitCharts();
    assertThat(driver.findElements(By.cssSelector("p.error"))).as(name + " error").isEmpty();
    screenshot(name);
    assertNoBrowserErrors(name);
  }

  /** Waits until every chart and sparkline of the page has been drawn. */
  public void awaitCharts() {
    new WebDriverWait(driver, Duration.ofSeconds(30))
        .until(
            d ->
                d.findElements(By.cssSelector(".chart[data-chart]:not([data-rendered])")).isEmpty()
                    && d.findElements(By.cssSelector(".spark:not([data-rendered])")).isEmpty());
  }

  /** Saves the whole page (up to 8000 px high) as {@code name}.png. */
  public void screenshot(String name) throws IOException {
    Object height =
        ((JavascriptExecutor) driver).executeScript("return document.documentElement.scrollHeight");
    driver
        .manage()
        .window()
        .setSize(new Dimension(1400, Math.min(8000, ((Number) height).intValue() + 200)));
    File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    driver.manage().window().setSize(new Dimension(1400, 1000));
  }

  /** Asserts the browser logged no warning or error since the last look. */
  public void assertNoBrowserErrors(String page) {
    List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
    assertThat(entries)
        .as("browser console on " + page)
        .noneMatch(e -> e.getLevel().intValue() >= Level.WARNING.intValue());
  }

  /** The body rows of figure {@code section} (its element id, {@code fig-…}). */
  public List<WebElement> rows(String section) {
    return driver.findElements(By.cssSelector("#" + section + " tbody tr"));
  }

  /** The cell of {@code column} in the row of {@code section} whose key is {@code key}. */
  public WebElement cell(String section, String key, String column) {
    for (WebElement r : rows(section)) {
      if (key.equals(r.getDomAttribute("data-key"))) {
        return r.findElement(By.cssSelector("td[data-col='" + column + "']"));
      }
    }
    throw new AssertionError("no row " + key + " in " + section);
  }

  /** Asserts the row {@code key} of {@code section} shows {@code expected} column by column. */
  public void assertRow(String section, String key, Map<String, Long> expected) {
    String id = section.startsWith("fig-") ? section : "fig-" + section;
    expected.forEach(
        (col, v) ->
            assertThat(cell(id, key, col).getText())
                .as(id + " " + key + " " + col)
                .isEqualTo(v.toString()));
  }

  /** Asserts a row's four stages: sessions, exposed, long-pressed, joined. */
  public void assertStages(String section, String key, long[] f) {
    assertRow(
        section,
        key,
        Map.of("sessions", f[0], "exposed", f[1], "long_pressed", f[2], "joined", f[3]));
  }

  /** A whole-number column of {@code section}, top to bottom. */
  public List<Long> columnValues(String section, String column) {
    return rows(section).stream()
        .map(
            r ->
                Long.parseLong(
                    r.findElement(By.cssSelector("td[data-col='" + column + "']")).getText()))
        .toList();
  }

  @Override
  public void close() {
    driver.quit();
  }
}
