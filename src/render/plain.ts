/**
 * Reply → plain text, for the console chat and `npm run ask`.
 *
 * Layout, sections apart by a blank line: the title; the blocks (items as "- ", headings ending
 * with ":", citation marks after a block as " [1] [3]", links as "text (url)"); "Sources:" and one
 * line per citation; the footer; a picture as "Picture: <alt>", or where it was saved when the caller
 * saved it. Actions are not shown: a console has no buttons.
 */
import type { Citation } from "../answer/types.js";
import type { Block, Reply } from "../bot/types.js";
import { t } from "../i18n/messages.js";
import type { Language } from "../search/languages/index.js";
import {
  citationMarks,
  citationNumbers,
  isBlank,
  oneLine,
  sourceDetails,
  sourcesHeading,
  sourceTitle,
  spans,
} from "./text.js";

export interface PlainOptions {
  /** Include the "Sources:" list (default true). `ask --json` carries sources in a field of their own. */
  readonly sources?: boolean;
  /** Where the caller saved the reply's picture, to show instead of it. */
  readonly imagePath?: string;
}

export function renderPlain(reply: Reply, options: PlainOptions = {}): string {
  const language = reply.language ?? "en";
  const listed = citationNumbers(reply.citations);
  const sections: string[] = [];
  if (reply.title !== undefined && !isBlank(reply.title)) sections.push(reply.title.trim());
  const blocks = reply.blocks
    .map((block) => blockLine(block, listed))
    .filter((line) => line !== undefined)
    .map((line, i) => (line.heading && i > 0 ? `\n${line.text}` : line.text));
  if (blocks.length > 0) sections.push(blocks.join("\n"));
  if (reply.citations.length > 0 && options.sources !== false)
    sections.push(
      [
        `${sourcesHeading(language)}:`,
        ...reply.citations.map((citation) => sourceLine(citation, language)),
      ].join("\n"),
    );
  if (reply.footer !== undefined && !isBlank(reply.footer)) sections.push(reply.footer.trim());
  if (reply.image)
    sections.push(
      options.imagePath
        ? t(language, "render.pictureSaved", { path: options.imagePath })
        : t(language, "render.picture", { alt: oneLine(reply.image.alt) }),
    );
  return sections.join("\n\n");
}

function blockLine(
  block: Block,
  listed: ReadonlySet<number>,
): { heading: boolean; text: string } | undefined {
  const words = spans(block.content)
    .map((span) =>
      span.href === undefined || span.href === span.text ? span.text : `${span.text} (${span.href})`,
    )
    .join("");
  if (isBlank(words)) return undefined;
  const marks = citationMarks(block.cites, listed);
  const tail = marks.length > 0 ? ` ${marks.join(" ")}` : "";
  switch (block.kind) {
    case "heading":
      return { heading: true, text: `${words.trimEnd()}${words.trimEnd().endsWith(":") ? "" : ":"}${tail}` };
    case "item":
      return { heading: false, text: `- ${words}${tail}` };
    case "paragraph":
      return { heading: false, text: words + tail };
  }
}

/** "[1] Title — Publisher, 2 Apr 2024 (originally Other). https://url" */
function sourceLine(citation: Citation, language: Language): string {
  const details = sourceDetails(citation, undefined, language);
  const url = citation.url.trim();
  const described = `[${citation.n}] ${sourceTitle(citation, undefined, language)}${details === "" ? "" : ` — ${details}`}`;
  return url === "" ? described : `${described}${described.endsWith(".") ? "" : "."} ${url}`;
}
