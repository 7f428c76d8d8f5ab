/**
 * The feedback loop's words live in the message files (`assets/messages/<language>.json`, under
 * `loop`, looked up with `t`); here is only what the code needs to know of them: the reasons a
 * button may carry, the vote emoji (the same in every language), and the commands as menus show them.
 */
import { t } from "../i18n/messages.js";

/** Why an answer got 👎: each has its label under `loop.feedbackReason`. */
export const FEEDBACK_REASONS = ["wrong", "outdated", "off-topic", "bad-source"] as const;
export type FeedbackReason = (typeof FEEDBACK_REASONS)[number];

/** Why an admin turned a suggestion down: each has its wording under `loop.rejectReason`. */
export const REJECT_REASONS = ["scope", "covered", "unreliable", "unsupported"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const FEEDBACK_UP = "👍";
export const FEEDBACK_DOWN = "👎";

/** The commands, as menus and /help show them; the bot says their descriptions in the chat's language. */
export const LOOP_COMMANDS = {
  notifications: {
    name: "notifications",
    usage: "/notifications",
    description: t("en", "command.notifications"),
  },
  suggest: { name: "suggest", usage: "/suggest <url or claim>", description: t("en", "command.suggest") },
  queue: { name: "queue", usage: "/queue", description: t("en", "command.queue") },
} as const;
