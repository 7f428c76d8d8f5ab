/** `/timeline <deal>` and the Timeline button: the deal's dated facts as a picture. */
import { t } from "../i18n/messages.js";
import { dealLabel } from "../knowledge/relations.js";
import type { Deal } from "../knowledge/types.js";
import type { Language } from "../search/languages/index.js";
import { timelineFigures } from "../timeline/svg.js";
import { NO_LINKS, type SiteLinks } from "./links.js";
import { actions } from "./replies.js";
import type { Block, Reply } from "./types.js";

export function timelineReply(
  deal: Deal,
  png: Uint8Array,
  language: Language = "en",
  links: SiteLinks = NO_LINKS,
): Reply {
  const label = dealLabel(deal);
  const summary = timelineCaption(deal, language);
  const page = links.deal(deal.id);
  const blocks: Block[] = [{ kind: "paragraph", content: [`${summary}.`] }];
  if (page) blocks.push({ kind: "paragraph", content: [{ text: t(language, "timeline.page"), href: page }] });
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "timeline.title", { label }),
    blocks,
    citations: [],
    footer: t(language, "timeline.footer", { id: deal.id }),
    actions: [actions.more(deal.id, language), actions.sources(deal.id, language)],
    image: {
      png,
      name: `timeline-${deal.id}.png`,
      alt: t(language, "timeline.alt", { label, summary }),
    },
    ...(page ? { page } : {}),
  };
}

/** "12 dated facts, 2013–2024 · 2 undated facts not shown", in `language`. */
function timelineCaption(deal: Deal, language: Language): string {
  const { dated, undated, first, last } = timelineFigures(deal);
  const span = first === undefined ? "" : first === last ? `, ${first}` : `, ${first}–${last}`;
  const shown =
    dated === 0 ? t(language, "timeline.none") : `${t(language, "timeline.dated", { count: dated })}${span}`;
  return undated > 0 ? t(language, "timeline.undated", { shown, count: undated }) : shown;
}
