/** `/timeline <deal>` and the Timeline button: the deal's dated facts as a picture. */
import { dealLabel } from "../knowledge/relations.js";
import type { Deal } from "../knowledge/types.js";
import { timelineSummary } from "../timeline/svg.js";
import { NO_LINKS, type SiteLinks } from "./links.js";
import { actions } from "./replies.js";
import type { Block, Reply } from "./types.js";

export function timelineReply(deal: Deal, png: Uint8Array, links: SiteLinks = NO_LINKS): Reply {
  const label = dealLabel(deal);
  const summary = timelineSummary(deal);
  const page = links.deal(deal.id);
  const blocks: Block[] = [{ kind: "paragraph", content: [`${summary}.`] }];
  if (page) blocks.push({ kind: "paragraph", content: [{ text: "Every fact and its sources", href: page }] });
  return {
    tone: "info",
    title: `Timeline: ${label}`,
    blocks,
    citations: [],
    footer: `/deal ${deal.id} tells the facts in words, with their sources.`,
    actions: [actions.more(deal.id), actions.sources(deal.id)],
    image: {
      png,
      name: `timeline-${deal.id}.png`,
      alt: `Timeline of ${label}: ${summary}. Each fact is a mark at its date; the legend gives each status a colour and a shape.`,
    },
    ...(page ? { page } : {}),
  };
}
