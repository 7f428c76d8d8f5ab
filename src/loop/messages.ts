/**
 * Every user-facing word of the feedback loop in one place, so that moving them to message files
 * (i18n) is one file's work. Functions take what they show; nothing here decides anything.
 */

export const LOOP_TEXT = {
  notifyButton: "🔔 Notify me when I can answer this",
  notifyAdded: (question: string) =>
    `I'll tell you here when I can answer "${question}". /notifications lists what you're waiting for.`,
  notifyAlready: (question: string) => `You're already waiting for "${question}". /notifications lists them.`,
  notifyLimit: (max: number) =>
    `This chat is already waiting for ${max} questions, the most it may. Drop some with /notifications first.`,
  expiredButton: "That button has expired. Ask again, or see /help.",
  notificationsTitle: "Notifications",
  notificationsNone:
    'This chat is not waiting for any answer. When I say "I don\'t know", press "Notify me" and I\'ll tell you once I can answer.',
  notificationsLead: (days: number) =>
    `I'll send an answer here when I learn one (each question waits at most ${days} days):`,
  asked: (when: string) => `asked ${when}`,
  dropButton: (n: number) => `Drop ${n}`,
  dropped: (question: string) => `Dropped: I won't tell you about "${question}".`,
  droppedAlready: "Already dropped.",
  answerLead: (question: string, when: string) => `You asked "${question}" on ${when}. Now I can answer:`,

  feedbackUp: "👍",
  feedbackDown: "👎",
  feedbackReasons: {
    wrong: "Wrong",
    outdated: "Out of date",
    "off-topic": "Not what I asked",
    "bad-source": "Bad source",
  },
  feedbackThanks: "Thanks for the feedback!",
  feedbackWhy: "Thanks. What was wrong with the answer?",
  feedbackNoted: "Thanks: noted. A maintainer will look at it.",

  suggestTitle: "Suggest a source",
  suggestUsage:
    "Send a link to a source or a claim to check, e.g. /suggest https://example.com/article or /suggest Acme sold its users' locations to a broker.",
  suggestTooLong: (max: number) => `That's too long: keep a suggestion under ${max} characters.`,
  suggestBadUrl: (why: string) => `I can't take that link: ${why}.`,
  suggestRateLimited: (max: number, hours: number) =>
    `You've sent ${max} suggestions in the last ${hours} hours, the most I take. Please try again later.`,
  suggestQueued: (id: number) =>
    `Thanks! Suggestion #${id} is in the queue for a maintainer; I'll tell you here what they decide. Nothing enters my knowledge base until a maintainer has checked it.`,
  suggestAccepted: (id: number, text: string) =>
    `Your suggestion #${id} ("${text}") was accepted: a maintainer will check it and add what the sources support.`,
  suggestRejected: (id: number, text: string, reason: string) =>
    `Your suggestion #${id} ("${text}") was not taken: ${reason}.`,

  queueTitle: "Suggestions queue",
  queueEmpty: "The queue is empty.",
  queueItem: (id: number, kind: string, when: string) => `#${id} · ${kind} · ${when}: `,
  acceptButton: (id: number) => `✅ Accept #${id}`,
  rejectButton: (id: number) => `❌ Reject #${id}`,
  rejectWhy: (id: number) => `Why reject #${id}? Pick a reason, or type /queue reject ${id} <your reason>.`,
  rejectReasons: {
    scope: "not about a data-sharing deal",
    covered: "the knowledge base already covers it",
    unreliable: "the source is not reliable enough",
    unsupported: "no source supports the claim",
  },
  queueUsage: "Usage: /queue, /queue accept <id> or /queue reject <id> <reason>.",
  queueDone: (id: number, state: string) => `#${id} ${state}; the user has been told.`,
  queueGone: (id: number) => `#${id} is not in the queue (already decided?).`,
  adminsOnly: (command: string) => `/${command} is for the bot's admins.`,
  adminsOnlyTitle: "Admins only",
  gapsHeading: "Coverage gaps",
  gapsNone: "No unanswered questions or 👎 recorded yet.",
  gapsQuestion: (count: number, last: string) => ` — ${count}× (last ${last})`,
  gapsFact: (count: number, last: string, reasons: string) =>
    ` — ${count}× 👎${reasons ? ` (${reasons})` : ""} (last ${last})`,
  gapsUnansweredHeading: "Most asked, not answered",
  gapsDislikedHeading: "Facts with the most 👎",
} as const;

export type FeedbackReason = keyof typeof LOOP_TEXT.feedbackReasons;
export type RejectReason = keyof typeof LOOP_TEXT.rejectReasons;

/** The commands, as menus and /help show them (apart from what they do). */
export const LOOP_COMMANDS = {
  notifications: {
    name: "notifications",
    usage: "/notifications",
    description: "Questions you're waiting for an answer to",
  },
  suggest: {
    name: "suggest",
    usage: "/suggest <url or claim>",
    description: "Suggest a source or a claim to check",
  },
  queue: { name: "queue", usage: "/queue", description: "Admins: suggested sources and claims to review" },
} as const;
