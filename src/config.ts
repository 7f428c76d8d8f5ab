/** Every setting the bot reads from the environment, in one place. */
import path from "node:path";

export function knowledgeDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.KNOWLEDGE_DIR || "knowledge");
}
