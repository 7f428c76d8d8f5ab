/**
 * A strict reader of the HTML the Telegram renderer may produce: tags b, i, code and a (with one http(s)
 * href), balanced, never nested in themselves, `code` neither containing nor inside another tag,
 * entities &amp; &lt; &gt; &quot; only, no bare `<` or `>`. Returns the text Telegram makes of it, or
 * throws saying what is wrong and where.
 */
const TAG = /<(\/?)(b|i|code|a)(?: href="([^"<>]*)")?>/y;
const ENTITY = /&(amp|lt|gt|quot);/y;
const DECODED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"' };

export interface ParsedHtml {
  /** The message text after entity parsing: tags removed, entities decoded. */
  readonly text: string;
  readonly hrefs: readonly string[];
}

export function parseTelegramHtml(html: string): ParsedHtml {
  const fail = (at: number, why: string): never => {
    throw new Error(`${why} at ${at}: ${JSON.stringify(html.slice(Math.max(0, at - 20), at + 30))}`);
  };
  const open: string[] = [];
  const hrefs: string[] = [];
  let text = "";
  let i = 0;
  while (i < html.length) {
    const char = html.charAt(i);
    if (char === "<") {
      TAG.lastIndex = i;
      const match = TAG.exec(html);
      if (!match) return fail(i, "not an allowed tag");
      const [whole, slash, name = "", href] = match;
      if (slash) {
        if (href !== undefined) fail(i, "attribute on a closing tag");
        if (open.pop() !== name) fail(i, `unbalanced </${name}>`);
      } else {
        if ((name === "a") !== (href !== undefined))
          fail(i, "href on a tag other than <a>, or <a> without one");
        if (open.includes(name)) fail(i, `<${name}> inside itself`);
        if (open.includes("code")) fail(i, "a tag inside <code>");
        if (name === "code" && open.length > 0) fail(i, "<code> inside another tag");
        if (href !== undefined) {
          const url = decodeEntities(href, () => fail(i, "bad entity in href"));
          if (!/^https?:\/\//.test(url)) fail(i, `href ${url} is not http(s)`);
          hrefs.push(url);
        }
        open.push(name);
      }
      i += whole.length;
    } else if (char === "&") {
      ENTITY.lastIndex = i;
      const match = ENTITY.exec(html);
      if (!match) return fail(i, "bare & or unknown entity");
      text += DECODED[match[1] ?? ""];
      i += match[0].length;
    } else if (char === ">") {
      fail(i, "bare >");
    } else {
      text += char;
      i += 1;
    }
  }
  if (open.length > 0) fail(html.length, `unclosed <${open.join("> <")}>`);
  return { text, hrefs };
}

function decodeEntities(value: string, onError: () => void): string {
  return value.replace(/&[^;]*;?/g, (entity) => {
    const name = /^&(amp|lt|gt|quot);$/.exec(entity)?.[1];
    if (name === undefined) onError();
    return DECODED[name ?? ""] ?? "";
  });
}
