/** `/timeline <deal>` and the Timeline button: the deal's dated facts as a picture. */
import { t } from "../i18n/messages.js";
import { dealLabel } from "../knowledge/relations.js";
import type { Deal } from "../knowledge/types.js";
import type { Language } from "../search/languages/index.js";
import { timelineFigures } from "../timeline/svg.js";
import { actions } from "./replies.js";
import type { Reply } from "./types.js";

export function timelineReply(deal: Deal, png: Uint8Array, language: Language = "en"): Reply {
  const label = dealLabel(deal);
  const summary = timelineCaption(deal, language);
  return {
    tone: "info",
    ...(language !== "en" ? { language } : {}),
    title: t(language, "timeline.title", { label }),
    blocks: [{ kind: "paragraph", content: [`${summary}.`] }],
    citations: [],
    footer: t(language, "timeline.footer", { id: deal.id }),
    actions: [actions.more(deal.id, language), actions.sources(deal.id, language)],
    image: {
      png,
      name: `timeline-${deal.id}.png`,
      alt: t(language, "timeline.alt", { label, summary }),
    },
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
