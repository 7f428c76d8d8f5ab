/**
 * YAML text with positions: parse once, then answer "where is the node at this path?"
 * so every problem can be reported as file:line:column.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";

/** How far aliases may expand (the yaml package's measure): an alias bomb stops here. */
const MAX_ALIAS_COUNT = 100;

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface LocatedYaml {
  /** The plain JavaScript value, or undefined when the text has syntax errors. */
  readonly value: unknown;
  readonly syntaxErrors: readonly { readonly position: Position; readonly message: string }[];
  /** Where the value at `path` starts; for a key that is missing, where its parent starts. */
  locate(path: readonly PropertyKey[]): Position;
  /** Where the key `key` of the map at `path` is written. */
  locateKey(path: readonly PropertyKey[], key: string): Position;
}

export function parseLocatedYaml(text: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Position => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };

  const syntaxErrors = doc.errors.map((error) => ({
    position: at(error.pos[0]),
    message: `YAML syntax error: ${firstLine(error.message)}`,
  }));
  let value: unknown;
  if (syntaxErrors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // toJS throws on alias bombs (and unresolved aliases): report it where the first alias is.
      let first: number | undefined;
      visit(doc, {
        Alias(_key, node) {
          first = node.range?.[0];
          return visit.BREAK;
        },
      });
      const message = /excessive alias count/i.test(String(error))
        ? `YAML aliases expand too far (over ${MAX_ALIAS_COUNT} aliased values): write the values out`
        : `YAML error: ${firstLine(String(error))}`;
      syntaxErrors.push({ position: at(first), message });
    }
  }

  const nodeAt = (path: readonly PropertyKey[]): { node: Node | null; depth: number } => {
    let node: Node | null = doc.contents;
    let depth = 0;
    for (const step of path) {
      let next: unknown;
      if (isMap(node)) next = node.items.find((pair) => isScalar(pair.key) && pair.key.value === step)?.value;
      else if (isSeq(node) && typeof step === "number") next = node.items[step];
      if (!next || typeof next !== "object" || !("range" in next)) break;
      node = next as Node;
      depth++;
    }
    return { node, depth };
  };

  return {
    value,
    syntaxErrors,
    locate: (path) => at(nodeAt(path).node?.range?.[0]),
    locateKey: (path, key) => {
      const { node, depth } = nodeAt(path);
      if (depth === path.length && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
        if (pair && isScalar(pair.key)) return at(pair.key.range?.[0]);
      }
      return at(node?.range?.[0]);
    },
  };
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}
