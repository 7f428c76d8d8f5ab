import { describe, expect, it } from "vitest";
import { clip } from "../../src/text/clip.js";

describe("clip", () => {
  it("keeps short text and cuts long text to the limit, ending with …", () => {
    expect(clip("netflix", 10)).toBe("netflix");
    expect(clip("netflix-facebook", 8)).toBe("netflix…");
    expect([...clip("a".repeat(200), 100)]).toHaveLength(100);
  });

  it("never splits a surrogate pair", () => {
    expect(clip("😀😀😀", 2)).toBe("😀…");
  });
});
