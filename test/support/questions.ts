/**
 * The question set (test/questions/*.yaml): what people ask, and what a right answer must
 * contain. Shared by the answer-engine test and the benchmark.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { isLanguage, type Language } from "../../src/search/languages/index.js";

/**
 * What a question asks for. `topic` is a plain "tell me about"; the others are the intents the
 * query analysis recognises (src/search/query.ts).
 */
export const QUESTION_INTENTS = [
  "topic",
  "when",
  "how-much",
  "who",
  "why",
  "what-is",
  "is-it-true",
  "legal",
  "claim",
  "outcome",
  "denial",
  "small-talk",
  "advice",
  "out-of-scope",
] as const;
export type QuestionIntent = (typeof QUESTION_INTENTS)[number];

export interface QuestionCase {
  readonly file: string;
  readonly q: string;
  readonly expect: "answered" | "unknown";
  readonly intent: QuestionIntent;
  /** A right answer leads with one of these facts (empty: any of `facts` may lead). */
  readonly lead: readonly string[];
  /** A right answer includes at least one of these facts (the lead facts count). */
  readonly facts: readonly string[];
  /** A right answer's text contains every one of these words (case-insensitive). */
  readonly words: readonly string[];
  /** Questions with the same chat are one conversation, in file order. */
  readonly chat?: string;
  /** The chat's language (as a platform would report it), from the file's `language:`; English when absent. */
  readonly language: Language;
}

export const QUESTIONS_DIR = path.join(import.meta.dirname, "..", "questions");

export function loadQuestions(dir = QUESTIONS_DIR): QuestionCase[] {
  const out: QuestionCase[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".yaml"))
    .sort()) {
    const doc = parse(readFileSync(path.join(dir, name), "utf8")) as {
      language?: string;
      questions: Record<string, unknown>[];
    };
    const language = isLanguage(doc.language) ? doc.language : "en";
    for (const raw of doc.questions) {
      const expect = raw.expect === "unknown" ? "unknown" : "answered";
      const intent =
        (raw.intent as QuestionIntent | undefined) ?? (expect === "unknown" ? "out-of-scope" : "topic");
      if (!QUESTION_INTENTS.includes(intent))
        throw new Error(`${name}: unknown intent "${intent}" for "${raw.q}"`);
      const lead = (raw.lead as string[] | undefined) ?? [];
      out.push({
        file: name,
        q: String(raw.q),
        language,
        expect,
        intent,
        lead,
        facts: [...new Set([...lead, ...((raw.facts as string[] | undefined) ?? [])])],
        words: (raw.words as string[] | undefined) ?? [],
        // Chats are per file: two files may both use "c1".
        ...(raw.chat ? { chat: `${name}#${String(raw.chat)}` } : {}),
      });
    }
  }
  return out;
}

export interface Judged {
  readonly case: QuestionCase;
  readonly correct: boolean;
  /** For answered cases: 1-based rank of the first expected fact in the answer, or undefined. */
  readonly rank?: number;
  readonly got: { status: string; facts: readonly string[]; text: string };
}

export function judge(c: QuestionCase, got: Judged["got"]): Judged {
  if (c.expect === "unknown") return { case: c, correct: got.status === "unknown", got };
  const index = got.facts.findIndex((id) => c.facts.includes(id));
  const wordsOk = c.words.every((w) => got.text.toLowerCase().includes(w.toLowerCase()));
  const factsOk = c.facts.length === 0 || index >= 0;
  return {
    case: c,
    correct: got.status === "answered" && factsOk && wordsOk,
    ...(index >= 0 ? { rank: index + 1 } : {}),
    got,
  };
}

export interface Score {
  readonly answerable: number;
  readonly answeredCorrectly: number;
  readonly unanswerable: number;
  readonly abstainedCorrectly: number;
}

export function score(results: readonly Judged[]): Score {
  const answerable = results.filter((r) => r.case.expect === "answered");
  const unanswerable = results.filter((r) => r.case.expect === "unknown");
  return {
    answerable: answerable.length,
    answeredCorrectly: answerable.filter((r) => r.correct).length,
    unanswerable: unanswerable.length,
    abstainedCorrectly: unanswerable.filter((r) => r.correct).length,
  };
}
