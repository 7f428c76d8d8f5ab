/** Which links /suggest takes. */
import { describe, expect, it } from "vitest";
import { checkSuggestedUrl } from "../../src/loop/urls.js";

describe("checkSuggestedUrl", () => {
  it("takes public http and https pages", () => {
    for (const url of [
      "https://example.com/a?b=c",
      "http://news.example.org/2024/story",
      "https://93.184.216.34/x",
    ])
      expect(checkSuggestedUrl(url)).toMatchObject({ ok: true });
  });

  it("refuses other schemes and credentials", () => {
    for (const url of [
      "ftp://example.com/f",
      "javascript:alert(1)",
      "file:///etc/passwd",
      "data:text/html,hi",
    ])
      expect(checkSuggestedUrl(url)).toMatchObject({ ok: false });
    expect(checkSuggestedUrl("https://user:pw@example.com/")).toEqual({
      ok: false,
      why: "credentials",
    });
    expect(checkSuggestedUrl("https://user@example.com/")).toMatchObject({ ok: false });
  });

  it("refuses private, loopback and link-local addresses, however they are written", () => {
    for (const url of [
      "http://127.0.0.1/",
      "http://2130706433/", // 127.0.0.1 as one number
      "http://0x7f.1/",
      "http://10.1.2.3/",
      "http://172.16.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://localhost:8080/",
      "http://intranet/",
      "http://printer.local/",
      "http://db.internal/",
    ])
      expect(checkSuggestedUrl(url), url).toEqual({
        ok: false,
        why: "private",
      });
  });
});
