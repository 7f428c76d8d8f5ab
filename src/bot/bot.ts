/**
 * What every command means, for every platform: Request → Reply. Adapters call `handle`
 * and render what comes back; they never decide what an answer is.
 */
import { Conversations, type SharedFocus } from "../answer/conversation.js";
import { ANSWER_DEFAULTS } from "../answer/engine.js";
import type { KnowledgeHolder } from "../answer/knowledge.js";
import type { Answer } from "../answer/types.js";
import type { Deal } from "../knowledge/types.js";
import { normalise, terms } from "../search/text.js";
import { clip } from "../text/clip.js";
import { TimelineCache } from "../timeline/png.js";
import { type FloodCounter, FloodGate } from "./flood.js";
import {
  answerReply,
  choicesReply,
  coverage,
  dealReply,
  dealsReply,
  infoReply,
  parseAction,
  relatedReply,
  sourcesReply,
} from "./replies.js";
import { timelineReply } from "./timeline.js";

import type { Block, ChatRef, Platform, Reply, Request, Suggestion } from "./types.js";

/** A command another module adds (the subscription commands do): its help line and its meaning. */
export interface CommandExtension {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
  handle(request: Request, args: string): Reply | Promise<Reply>;
  /** Autocomplete for the command's argument. */
  suggest?(prefix: string, request: Pick<Request, "chat" | "user">): Suggestion[] | Promise<Suggestion[]>;
}

export interface BotOptions {
  readonly extensions?: readonly CommandExtension[];
  readonly conversations?: Conversations;
  /** Focus kept where every instance sees it (PostgreSQL); read before a message, written after. */
  readonly sharedFocus?: SharedFocus;
  /** Per-user flood control (in memory, or shared by instances); null turns it off (console, scripts). */
  readonly flood?: FloodCounter | null;
  /**
   * Per-user flood control for lookups while typing (inline queries, autocomplete: one a keystroke),
   * apart from messages; over it, nothing is suggested. Null turns it off. Default: bursts of 30,
   * then 3 a second.
   */
  readonly typeahead?: FloodGate | null;
  /** Questions longer than this are cut before analysis (the answer says so). Default 1,000. */
  readonly maxQuestionLength?: number;
  /** Where timeline pictures are kept between asks; one per bot by default. */
  readonly timelines?: TimelineCache;
  /**
   * Commands the bot has in a Telegram or Discord chat but not at this entry point (the console chat
   * and `ask` keep no subscriptions): /help lists them as such, and each one is answered with where it
   * works rather than "Unknown command".
   */
  readonly chatOnly?: readonly BotCommand[];
  /** A last line for /help, for what only this entry point knows (the console: how to leave). */
  readonly helpNote?: string;
}

/** Who is typing, for the typeahead flood gate. */
export interface Typist {
  readonly platform: Platform;
  readonly userId: string;
}

export interface BotCommand {
  readonly name: string;
  readonly usage: string;
  readonly description: string;
}

/** Commands that mean what their word means as a message: /quit and /exit say goodbye, as "quit" does. */
const WORD_COMMANDS = new Set(["quit", "exit", "bye"]);

/** Most deals offered when a name fits several. */
const MAX_CHOICES = 6;
/** A second deal is offered as a choice when it fits the name at least this share as well as the best. */
const AMBIGUOUS_RATIO = 0.6;

const CORE_COMMANDS: readonly BotCommand[] = [
  { name: "start", usage: "/start", description: "Welcome and how to use the bot" },
  { name: "help", usage: "/help", description: "What I can do" },
  { name: "deals", usage: "/deals", description: "Every deal I know about" },
  { name: "deal", usage: "/deal <name>", description: "One deal: summary and timeline" },
  { name: "sources", usage: "/sources <deal>", description: "Every source for a deal" },
  { name: "timeline", usage: "/timeline <deal>", description: "A deal's dated facts as a picture" },
];

/** The commands whose argument is a deal. */
const DEAL_COMMANDS: ReadonlySet<string> = new Set(["deal", "sources", "timeline"]);

export class Bot {
  private readonly conversations: Conversations;
  private readonly sharedFocus: SharedFocus | undefined;
  private readonly flood: FloodCounter | null;
  private readonly typeahead: FloodGate | null;
  private readonly extensions: Map<string, CommandExtension>;
  private readonly maxQuestionLength: number;
  private readonly timelines: TimelineCache;
  private readonly chatOnly: Map<string, BotCommand>;
  private readonly helpNote: string | undefined;

  constructor(
    private readonly knowledge: KnowledgeHolder,
    options: BotOptions = {},
  ) {
    this.conversations = options.conversations ?? new Conversations();
    this.sharedFocus = options.sharedFocus;
    this.flood = options.flood === undefined ? new FloodGate() : options.flood;
    this.typeahead =
      options.typeahead === undefined ? new FloodGate({ burst: 30, perSecond: 3 }) : options.typeahead;
    this.extensions = new Map((options.extensions ?? []).map((ext) => [ext.name, ext]));
    this.maxQuestionLength = options.maxQuestionLength ?? 1_000;
    this.timelines = options.timelines ?? new TimelineCache();
    this.chatOnly = new Map((options.chatOnly ?? []).map((command) => [command.name, command]));
    this.helpNote = options.helpNote;
  }

  /** The command menu (Telegram's setMyCommands, Discord's slash commands, /help). */
  get commands(): readonly BotCommand[] {
    return [
      ...CORE_COMMANDS,
      ...[...this.extensions.values()].map(({ name, usage, description }) => ({ name, usage, description })),
    ];
  }

  async handle(request: Request): Promise<Reply> {
    const shared = this.sharedFocus;
    if (!shared) return this.respond(request);
    // Another instance may have answered this chat's last message: its focus comes from the database.
    const key = `${request.chat.platform}:${request.chat.id}`;
    const focus = await shared.get(key);
    if (focus) this.conversations.set(key, focus);
    else this.conversations.forget(key);
    const reply = await this.respond(request);
    const after = this.conversations.get(key);
    if (after && after !== focus) await shared.set(key, after);
    return reply;
  }

  private async respond(request: Request): Promise<Reply> {
    const { input } = request;
    const gate = (await this.flood?.check(`${request.chat.platform}:${request.user.id}`)) ?? "allow";
    if (gate !== "allow") {
      const notice = infoReply(
        "Slow down a little",
        ["You're sending questions faster than I can answer them well. Try again in a few seconds."],
        "error",
      );
      return gate === "warn" ? notice : { ...notice, quiet: true };
    }
    switch (input.kind) {
      case "text":
        return this.ask(request.chat, input.text).reply;
      case "action":
        return this.action(request.chat, input.data);
      case "command":
        return this.command(request, input.name.toLowerCase(), input.args.trim());
    }
  }

  /** Answers a question in a chat's conversation; the Answer is returned too, for `ask --json`. */
  ask(chat: ChatRef, question: string): { reply: Reply; answer: Answer } {
    const { kb, engine } = this.knowledge.current;
    const trimmed = question.trim();
    if (trimmed.length === 0) {
      const answer = engine.unknown(question);
      return { answer, reply: this.help("Ask me a question in your own words, for example:") };
    }
    const key = `${chat.platform}:${chat.id}`;
    const cut = trimmed.length > this.maxQuestionLength;
    const { answer, focus } = engine.answer(
      cut ? trimmed.slice(0, this.maxQuestionLength) : trimmed,
      this.conversations.get(key),
    );
    if (focus) this.conversations.set(key, focus);
    const answered = answerReply({ ...answer, question }, kb);
    // "bye", "exit", "quit": an entry point that can end the conversation (the console) ends it.
    const reply: Reply = answer.smallTalk === "bye" ? { ...answered, farewell: true } : answered;
    if (!cut) return { answer, reply };
    const note = `I read only the first ${this.maxQuestionLength} characters of your question.`;
    return { answer, reply: { ...reply, footer: reply.footer ? `${note} ${reply.footer}` : note } };
  }

  private async command(request: Request, name: string, args: string): Promise<Reply> {
    const { kb } = this.knowledge.current;
    switch (name) {
      case "start": {
        const deep = /^deal_([a-z0-9-]{1,40})$/.exec(args);
        const deal = deep ? kb.deals.get(deep[1] as string) : undefined;
        return deal
          ? dealReply(deal, kb)
          : this.help(
              "Hi! I answer questions about who shared whose data with whom, and I always show the receipts.",
            );
      }
      case "help":
        return this.help();
      case "deals":
        return dealsReply(kb);
      case "deal":
      case "sources":
      case "timeline": {
        if (!args)
          return infoReply(
            `Which deal?`,
            [`Usage: /${name} <deal name>, for example /${name} netflix-facebook. /deals lists them all.`],
            "error",
          );
        const found = this.findDeals(args);
        const deal = found[0];
        if (!deal)
          return infoReply(
            "No such deal",
            [`I don't know a deal called "${clip(args, 100)}". /deals lists the ones I know.`],
            "error",
          );
        if (found.length > 1)
          return choicesReply(
            found,
            name === "sources" ? "src" : name === "timeline" ? "tl" : "deal",
            clip(args, 60),
          );
        if (name === "timeline") return this.timeline(deal);
        if (name === "sources") return sourcesReply(deal, kb);
        this.openDeal(request.chat, deal.id);
        return dealReply(deal, kb);
      }
    }
    const extension = this.extensions.get(name);
    if (extension) return extension.handle(request, args);
    const elsewhere = this.chatOnly.get(name);
    if (elsewhere) return chatOnlyReply(elsewhere);
    if (WORD_COMMANDS.has(name)) return this.ask(request.chat, name).reply;
    return infoReply(
      "Unknown command",
      [`I don't know /${name.slice(0, 40)}. /help lists what I can do.`],
      "error",
    );
  }

  private async action(chat: ChatRef, data: string): Promise<Reply> {
    const { kb } = this.knowledge.current;
    const action = parseAction(data);
    const deal = action && kb.deals.get(action.deal);
    if (!action || !deal) return infoReply("That button has expired", ["Ask again, or use /deals."], "error");
    if (action.verb === "src") return sourcesReply(deal, kb);
    if (action.verb === "rel") return relatedReply(deal, kb);
    if (action.verb === "tl") return this.timeline(deal);
    this.openDeal(chat, deal.id);
    return dealReply(deal, kb);
  }

  /** Opening a deal puts it in focus: "how much did they pay?" next is about this deal. */
  private openDeal(chat: ChatRef, deal: string): void {
    const focus = this.knowledge.current.engine.focusOn(deal);
    if (focus) this.conversations.set(`${chat.platform}:${chat.id}`, focus);
  }

  private async timeline(deal: Deal): Promise<Reply> {
    return timelineReply(deal, await this.timelines.png(deal, this.knowledge.current.kb));
  }

  private help(greeting?: string): Reply {
    const { kb, engine } = this.knowledge.current;
    return {
      tone: "info",
      title: "Receipts",
      blocks: [
        ...(greeting ? [{ kind: "paragraph" as const, content: [greeting] }] : []),
        { kind: "paragraph", content: [coverage(kb)] },
        {
          kind: "paragraph",
          content: ["Every answer is made of sourced facts, and allegations are labelled as allegations."],
        },
        { kind: "heading", content: ["Commands"] },
        ...this.commands.map(commandItem),
        ...(this.chatOnly.size > 0
          ? [
              { kind: "heading" as const, content: ["In a Telegram or Discord chat"] },
              ...[...this.chatOnly.values()].map(commandItem),
            ]
          : []),
        { kind: "heading", content: ["Try asking"] },
        ...engine
          .starterQuestions()
          .map((q) => ({ kind: "item" as const, content: [{ text: q, italic: true as const }] })),
        ...(this.helpNote ? [{ kind: "paragraph" as const, content: [this.helpNote] }] : []),
      ],
      citations: [],
      actions: [],
    };
  }

  /** A deal by id, id prefix, or the words of its name ("netflix facebook"). */
  findDeal(name: string): Deal | undefined {
    return this.findDeals(name)[0];
  }

  /**
   * The deals a name may mean, best first: one for an id, a unique id prefix or words that
   * point at one deal; several when the name fits several about as well ("netflix" is in four).
   */
  findDeals(typed: string): Deal[] {
    const { kb, index } = this.knowledge.current;
    const name = this.clipped(typed); // searched like a question, so clipped like one
    const wanted = normalise(name).trim().replace(/\s+/g, "-");
    const exact = kb.deals.get(wanted);
    if (exact) return [exact];
    const prefixed = [...kb.deals.values()].filter((deal) => deal.id.startsWith(wanted));
    if (prefixed.length === 1) return prefixed;
    const query = index.analyse(name);
    // Only names ("netflix", "meta"): every deal they are party to is a candidate, biggest first.
    const nameTerms = new Set(query.entities.flatMap((e) => terms(e.name)));
    if (query.entities.length > 0 && query.terms.every((term) => nameTerms.has(term))) {
      return [...kb.deals.values()]
        .filter((deal) => {
          const parties = index.entitiesOfDeal(deal.id);
          return query.entities.every((entity) => parties.has(entity.id));
        })
        .sort((a, b) => b.facts.length - a.facts.length)
        .slice(0, MAX_CHOICES);
    }
    // Otherwise, the deals a question made of these words would be answered from, and how well.
    if (query.entities.length === 0 && query.terms.every((term) => index.isGeneric(term))) return prefixed;
    const best = new Map<string, number>();
    for (const hit of index.search(query, { limit: 60 })) {
      if (query.entities.length > 0 && hit.entityMatches === 0) continue;
      if (hit.coverage < ANSWER_DEFAULTS.minCoverage) continue;
      if (!best.has(hit.fact.deal)) best.set(hit.fact.deal, hit.score);
    }
    const ranked = [...best.entries()].sort((a, b) => b[1] - a[1]);
    const top = ranked[0]?.[1] ?? 0;
    const close = ranked.filter(([, score]) => score >= top * AMBIGUOUS_RATIO);
    const found = close
      .slice(0, MAX_CHOICES)
      .map(([id]) => kb.deals.get(id))
      .filter((deal): deal is Deal => deal !== undefined);
    return found.length > 0 ? found : prefixed.slice(0, MAX_CHOICES);
  }

  /** Deals matching what has been typed so far, for autocomplete (at most `limit`). */
  suggestDeals(prefix: string, limit = 25): Suggestion[] {
    const { kb } = this.knowledge.current;
    const typed = normalise(this.clipped(prefix)).trim();
    const all = [...kb.deals.values()];
    const matching = typed
      ? all.filter(
          (deal) => deal.id.includes(typed.replace(/\s+/g, "-")) || normalise(deal.title).includes(typed),
        )
      : all;
    const found =
      matching.length > 0 || !typed ? matching : [this.findDeal(prefix)].filter((d) => d !== undefined);
    return found.slice(0, limit).map((deal) => ({ label: clip(deal.title, 100), value: deal.id }));
  }

  /** Questions to offer while someone types (Discord autocomplete). */
  suggestQuestions(prefix: string, limit: number, typist: Typist): Suggestion[] {
    if (!this.mayLookUp(typist)) return [];
    const { kb, index, engine } = this.knowledge.current;
    const typed = this.clipped(prefix).trim();
    const questions = typed
      ? index.search(index.analyse(typed), { limit: limit * 2 }).flatMap((hit) => hit.fact.questions)
      : engine.starterQuestions(limit);
    const out = [...new Set([...(typed ? [typed] : []), ...questions])];
    if (out.length < limit && !typed)
      out.push(...[...kb.facts.values()].flatMap((f) => f.questions).slice(0, limit));
    return [...new Set(out)].slice(0, limit).map((q) => ({ label: clip(q, 100), value: clip(q, 100) }));
  }

  /** Autocomplete for a command's argument: deals for /deal, /sources and /timeline, an extension's own (topics for /subscribe). */
  async suggestFor(
    command: string,
    prefix: string,
    request: Pick<Request, "chat" | "user">,
  ): Promise<Suggestion[]> {
    if (!this.mayLookUp({ platform: request.chat.platform, userId: request.user.id })) return [];
    if (DEAL_COMMANDS.has(command)) return this.suggestDeals(prefix);
    return this.extensions.get(command)?.suggest?.(prefix, request) ?? [];
  }

  /** Answer cards for Telegram inline mode: one per matching fact, each a reply of its own. */
  cards(
    query: string,
    limit: number,
    typist: Typist,
  ): { id: string; title: string; description: string; reply: Reply }[] {
    const { kb, index, engine } = this.knowledge.current;
    if (!query.trim() || !this.mayLookUp(typist)) return [];
    const question = this.clipped(query);
    return index.search(index.analyse(question), { limit }).map((hit) => {
      const deal = kb.deals.get(hit.fact.deal);
      const answer = engine.compose(question, [hit.fact]);
      return {
        id: hit.fact.id,
        title: clip(deal?.title ?? hit.fact.deal, 100),
        description: clip(hit.fact.text, 200),
        reply: answerReply(answer, kb, { suggestions: false }),
      };
    });
  }

  /** Whether a typing-time lookup may run for this user now. */
  private mayLookUp(typist: Typist): boolean {
    return (this.typeahead?.check(`${typist.platform}:${typist.userId}`) ?? "allow") === "allow";
  }

  /** Text that will be searched, cut like a question. */
  private clipped(text: string): string {
    return text.length > this.maxQuestionLength ? text.slice(0, this.maxQuestionLength) : text;
  }
}

function commandItem(command: BotCommand): Block {
  return { kind: "item", content: [{ text: command.usage, code: true }, ` — ${command.description}`] };
}

/** A command this entry point does not have: where it works instead. */
function chatOnlyReply(command: BotCommand): Reply {
  const what = command.description.charAt(0).toLowerCase() + command.description.slice(1);
  return infoReply("Only in a chat", [
    `${command.usage} (${what}) works in a Telegram or Discord chat with me, not here.`,
    "Here, ask me anything about data-sharing deals; /help lists what works.",
  ]);
}
