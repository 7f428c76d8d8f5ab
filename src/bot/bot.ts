/**
 * What every command means, for every platform: Request → Reply. Adapters call `handle`
 * and render what comes back; they never decide what an answer is.
 */
import { Conversations, type SharedFocus } from "../answer/conversation.js";
import { ANSWER_DEFAULTS } from "../answer/engine.js";
import type { KnowledgeHolder } from "../answer/knowledge.js";
import type { Answer } from "../answer/types.js";
import { hasMessage, languageOfLocale, t } from "../i18n/messages.js";
import type { Deal } from "../knowledge/types.js";
import type { Language } from "../search/languages/index.js";
import { normalise, terms } from "../search/text.js";
import { clip } from "../text/clip.js";
import { TimelineCache } from "../timeline/png.js";
import { type ChatSettings, MemoryChatSettings } from "./chat-settings.js";
import { type FloodCounter, FloodGate } from "./flood.js";
import {
  chosenLanguage,
  isLanguageAction,
  languageCommand,
  languageOfAction,
  suggestLanguages,
} from "./language.js";
import { type SiteLinks, siteLinks } from "./links.js";
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
  /** `language` is the one the chat's replies are framed in. */
  handle(request: Request, args: string, language: Language): Reply | Promise<Reply>;
  /** Autocomplete for the command's argument. */
  suggest?(prefix: string, request: Pick<Request, "chat" | "user">): Suggestion[] | Promise<Suggestion[]>;
}

/**
 * What another module adds around answers (the feedback loop does): it sees each question's Answer and
 * may add to the reply (buttons), and it handles the buttons whose data starts with one of `prefixes`.
 */
export interface AnswerExtension {
  /** `language` is the one the reply is framed in (the chat's setting or locale, else the question's). */
  answered?(request: Request, answer: Answer, reply: Reply, language: Language): Reply | Promise<Reply>;
  /** Button data prefixes this extension owns, e.g. "fb:" (never a deal verb: src, deal, rel, tl). */
  readonly prefixes?: readonly string[];
  /** `language` is the one the chat's replies are framed in. */
  action?(request: Request, data: string, language: Language): Reply | Promise<Reply>;
}

export interface BotOptions {
  readonly extensions?: readonly CommandExtension[];
  readonly answerExtensions?: readonly AnswerExtension[];
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
  /** The generated site's public URL (SITE_URL): replies link deals and facts to their pages. */
  readonly siteUrl?: string;
  /** Where a chat's chosen reply language is kept; in memory by default. */
  readonly settings?: ChatSettings;
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
  { name: "language", usage: "/language [code]", description: "The language I reply in here" },
];

/** Most chats whose last question's language is remembered (for replies to commands in that chat). */
const MAX_SPOKEN = 10_000;

/** The commands whose argument is a deal. */
const DEAL_COMMANDS: ReadonlySet<string> = new Set(["deal", "sources", "timeline"]);

export class Bot {
  private readonly conversations: Conversations;
  private readonly sharedFocus: SharedFocus | undefined;
  private readonly flood: FloodCounter | null;
  private readonly typeahead: FloodGate | null;
  private readonly extensions: Map<string, CommandExtension>;
  private readonly answerExtensions: readonly AnswerExtension[];
  private readonly maxQuestionLength: number;
  private readonly timelines: TimelineCache;
  private readonly chatOnly: Map<string, BotCommand>;
  private readonly helpNote: string | undefined;
  private readonly links: SiteLinks;
  readonly settings: ChatSettings;
  /** The language of each chat's last question, most recent last: what its commands are answered in. */
  private readonly spoken = new Map<string, Language>();

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
    this.answerExtensions = options.answerExtensions ?? [];
    this.maxQuestionLength = options.maxQuestionLength ?? 1_000;
    this.timelines = options.timelines ?? new TimelineCache();
    this.chatOnly = new Map((options.chatOnly ?? []).map((command) => [command.name, command]));
    this.helpNote = options.helpNote;
    this.links = siteLinks(options.siteUrl);
    this.settings = options.settings ?? new MemoryChatSettings();
  }

  /** The command menu (Telegram's setMyCommands, Discord's slash commands, /help). */
  get commands(): readonly BotCommand[] {
    return this.commandsIn("en");
  }

  /** The command menu with its descriptions in `language` (Telegram's menu per language, Discord's localizations). */
  commandsIn(language: Language): readonly BotCommand[] {
    return [...CORE_COMMANDS, ...this.extensions.values()].map(({ name, usage, description }) => ({
      name,
      usage,
      description: hasMessage(`command.${name}`) ? t(language, `command.${name}`) : description,
    }));
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
    // The chat's chosen language wins, then the user's platform locale; a question may bring its own.
    const chosen = (await chosenLanguage(this.settings, request)) ?? languageOfLocale(request.locale);
    const language = chosen ?? this.spoken.get(chatKey(request.chat)) ?? "en";
    const gate = (await this.flood?.check(`${request.chat.platform}:${request.user.id}`)) ?? "allow";
    if (gate !== "allow") {
      const notice = infoReply(t(language, "flood.title"), [t(language, "flood.text")], "error", language);
      return gate === "warn" ? notice : { ...notice, quiet: true };
    }
    switch (input.kind) {
      case "text": {
        const { reply, answer } = this.ask(request.chat, input.text, chosen);
        let out = reply;
        const frame = chosen ?? answer.language;
        for (const extension of this.answerExtensions)
          if (extension.answered) out = await extension.answered(request, answer, out, frame);
        return out;
      }
      case "action": {
        const owner = this.answerExtensions.find((extension) =>
          extension.prefixes?.some((prefix) => input.data.startsWith(prefix)),
        );
        if (owner?.action) return owner.action(request, input.data, language);
        return this.action(request, input.data, language);
      }
      case "command":
        return this.command(request, input.name.toLowerCase(), input.args.trim(), language, chosen);
    }
  }

  /**
   * Answers a question in a chat's conversation; the Answer is returned too, for `ask --json`. The
   * reply is framed in `language` when given (the chat's setting or locale), else in the question's.
   */
  ask(chat: ChatRef, question: string, language?: Language): { reply: Reply; answer: Answer } {
    const { kb, engine } = this.knowledge.current;
    const trimmed = question.trim();
    if (trimmed.length === 0) {
      const answer = engine.unknown(question);
      const frame = language ?? this.spoken.get(chatKey(chat)) ?? "en";
      return { answer, reply: this.help(frame, t(frame, "help.empty")) };
    }
    const key = chatKey(chat);
    const cut = trimmed.length > this.maxQuestionLength;
    const { answer, focus } = engine.answer(
      cut ? trimmed.slice(0, this.maxQuestionLength) : trimmed,
      this.conversations.get(key),
      language ? { language } : {},
    );
    if (focus) this.conversations.set(key, focus);
    this.remember(key, answer.language);
    const frame = language ?? answer.language;
    const answered = answerReply({ ...answer, question }, kb, { language: frame, links: this.links });
    // "bye", "exit", "quit": an entry point that can end the conversation (the console) ends it.
    const reply: Reply = answer.smallTalk === "bye" ? { ...answered, farewell: true } : answered;
    if (!cut) return { answer, reply };
    const note = t(frame, "answer.cut", { max: this.maxQuestionLength });
    return { answer, reply: { ...reply, footer: reply.footer ? `${note} ${reply.footer}` : note } };
  }

  /** Remembers the language a chat last asked in, forgetting the least recent chat past MAX_SPOKEN. */
  private remember(key: string, language: Language): void {
    this.spoken.delete(key);
    this.spoken.set(key, language);
    if (this.spoken.size > MAX_SPOKEN) {
      const oldest = this.spoken.keys().next().value;
      if (oldest !== undefined) this.spoken.delete(oldest);
    }
  }

  private async command(
    request: Request,
    name: string,
    args: string,
    language: Language,
    chosen: Language | undefined,
  ): Promise<Reply> {
    const { kb } = this.knowledge.current;
    switch (name) {
      case "start": {
        const deep = /^deal_([a-z0-9-]{1,40})$/.exec(args);
        const deal = deep ? kb.deals.get(deep[1] as string) : undefined;
        return deal
          ? dealReply(deal, kb, language, this.links)
          : this.help(language, t(language, "help.start"));
      }
      case "help":
        return this.help(language);
      case "deals":
        return dealsReply(kb, language, this.links);
      case "language":
        return languageCommand(this.settings, request, args, language);
      case "deal":
      case "sources":
      case "timeline": {
        if (!args)
          return infoReply(
            t(language, "usage.title"),
            [t(language, "usage.text", { name })],
            "error",
            language,
          );
        const found = this.findDeals(args);
        const deal = found[0];
        if (!deal)
          return infoReply(
            t(language, "noDeal.title"),
            [t(language, "noDeal.text", { name: clip(args, 100) })],
            "error",
            language,
          );
        if (found.length > 1)
          return choicesReply(
            found,
            name === "sources" ? "src" : name === "timeline" ? "tl" : "deal",
            clip(args, 60),
            language,
            this.links,
          );
        if (name === "timeline") return this.timeline(deal, language);
        if (name === "sources") return sourcesReply(deal, kb, language, this.links);
        this.openDeal(request.chat, deal.id);
        return dealReply(deal, kb, language, this.links);
      }
    }
    const extension = this.extensions.get(name);
    if (extension) return extension.handle(request, args, language);
    const elsewhere = this.chatOnly.get(name);
    if (elsewhere) return chatOnlyReply(elsewhere, language);
    if (WORD_COMMANDS.has(name)) return this.ask(request.chat, name, chosen).reply;
    return infoReply(
      t(language, "unknownCommand.title"),
      [t(language, "unknownCommand.text", { name: name.slice(0, 40) })],
      "error",
      language,
    );
  }

  private async action(request: Request, data: string, language: Language): Promise<Reply> {
    const { kb } = this.knowledge.current;
    if (isLanguageAction(data))
      return languageCommand(this.settings, request, languageOfAction(data), language);
    const action = parseAction(data);
    const deal = action && kb.deals.get(action.deal);
    if (!action || !deal)
      return infoReply(t(language, "expired.title"), [t(language, "expired.text")], "error", language);
    if (action.verb === "src") return sourcesReply(deal, kb, language, this.links);
    if (action.verb === "rel") return relatedReply(deal, kb, language, this.links);
    if (action.verb === "tl") return this.timeline(deal, language);
    this.openDeal(request.chat, deal.id);
    return dealReply(deal, kb, language, this.links);
  }

  /** Opening a deal puts it in focus: "how much did they pay?" next is about this deal. */
  private openDeal(chat: ChatRef, deal: string): void {
    const focus = this.knowledge.current.engine.focusOn(deal);
    if (focus) this.conversations.set(`${chat.platform}:${chat.id}`, focus);
  }

  private async timeline(deal: Deal, language: Language): Promise<Reply> {
    const png = await this.timelines.png(deal, this.knowledge.current.kb);
    return timelineReply(deal, png, language, this.links);
  }

  private help(language: Language, greeting?: string): Reply {
    const { kb, engine } = this.knowledge.current;
    return {
      tone: "info",
      ...(language !== "en" ? { language } : {}),
      title: t(language, "help.title"),
      blocks: [
        ...(greeting ? [{ kind: "paragraph" as const, content: [greeting] }] : []),
        { kind: "paragraph", content: [coverage(kb, language)] },
        { kind: "paragraph", content: [t(language, "help.labelled")] },
        { kind: "heading", content: [t(language, "heading.commands")] },
        ...this.commandsIn(language).map(commandItem),
        ...(this.chatOnly.size > 0
          ? [
              { kind: "heading" as const, content: [t(language, "heading.chatOnly")] },
              ...[...this.chatOnly.values()].map((command) => commandItem(translated(command, language))),
            ]
          : []),
        { kind: "heading", content: [t(language, "heading.tryAsking")] },
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
    if (command === "language") return suggestLanguages(prefix);
    return this.extensions.get(command)?.suggest?.(prefix, request) ?? [];
  }

  /**
   * Answer cards for Telegram inline mode: one per matching fact, each a reply of its own, framed in
   * `language` (the user's app language) when given, else in the query's.
   */
  cards(
    query: string,
    limit: number,
    typist: Typist,
    language?: Language,
  ): { id: string; title: string; description: string; reply: Reply }[] {
    const { kb, index, engine } = this.knowledge.current;
    if (!query.trim() || !this.mayLookUp(typist)) return [];
    const question = this.clipped(query);
    const analysed = index.analyse(question, language ? { language } : {});
    const frame = language ?? analysed.language;
    return index.search(analysed, { limit }).map((hit) => {
      const deal = kb.deals.get(hit.fact.deal);
      const answer = engine.compose(question, [hit.fact]);
      return {
        id: hit.fact.id,
        title: clip(deal?.title ?? hit.fact.deal, 100),
        description: clip(hit.fact.text, 200),
        reply: answerReply(answer, kb, { suggestions: false, language: frame, links: this.links }),
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

function chatKey(chat: ChatRef): string {
  return `${chat.platform}:${chat.id}`;
}

/** A command with its description in `language`, when the message files have it. */
function translated(command: BotCommand, language: Language): BotCommand {
  const key = `command.${command.name}`;
  return hasMessage(key) ? { ...command, description: t(language, key) } : command;
}

function commandItem(command: BotCommand): Block {
  return { kind: "item", content: [{ text: command.usage, code: true }, ` — ${command.description}`] };
}

/** A command this entry point does not have: where it works instead. */
function chatOnlyReply(command: BotCommand, language: Language): Reply {
  const { description, usage } = translated(command, language);
  // German nouns keep their capital; elsewhere the description reads on mid-sentence.
  const what =
    language === "de"
      ? description
      : description.charAt(0).toLocaleLowerCase(language) + description.slice(1);
  return infoReply(
    t(language, "chatOnly.title"),
    [t(language, "chatOnly.text", { usage, what }), t(language, "chatOnly.here")],
    "info",
    language,
  );
}
