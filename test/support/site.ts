/** For the site tests: an HTML5 check, and the built site served on 127.0.0.1. */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type DefaultTreeAdapterMap, parse } from "parse5";

type Node = DefaultTreeAdapterMap["node"];

/**
 * What is wrong with a page as HTML5: parse errors, a tag the parser had to drop or add, a
 * duplicate id, or a missing doctype, language, title, charset or viewport. Empty when valid.
 */
export function htmlProblems(text: string): string[] {
  const problems: string[] = [];
  if (!text.startsWith("<!DOCTYPE html>")) problems.push("no <!DOCTYPE html> first");
  const document = parse(text, {
    sourceCodeLocationInfo: true,
    onParseError: (error) => problems.push(`${error.code} at line ${error.startLine}`),
  });
  const ids = new Map<string, number>();
  const tags: string[] = [];
  const walk = (node: Node) => {
    if ("tagName" in node) {
      tags.push(node.tagName);
      const id = node.attrs.find((a) => a.name === "id")?.value;
      if (id !== undefined) ids.set(id, (ids.get(id) ?? 0) + 1);
    }
    const children =
      "content" in node ? node.content.childNodes : "childNodes" in node ? node.childNodes : [];
    for (const child of children) walk(child as Node);
  };
  walk(document as Node);
  // Every element the parser built was written out, and every one written out was built.
  const written = [...text.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => (m[1] as string).toLowerCase());
  if (written.length !== tags.length)
    problems.push(`${written.length} tags written, ${tags.length} elements parsed`);
  for (const [id, count] of ids) if (count > 1) problems.push(`id "${id}" used ${count} times`);
  if (!/^<!DOCTYPE html>\n<html lang="[a-z]{2}">/.test(text)) problems.push("no <html lang>");
  if (!/<title>[^<]+<\/title>/.test(text)) problems.push("no title");
  if (!text.includes(`<meta charset="utf-8">`)) problems.push("no charset");
  if (!text.includes(`<meta name="viewport"`)) problems.push("no viewport");
  return problems;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".xml": "application/atom+xml; charset=utf-8",
  ".ttf": "font/ttf",
};

/** Serves `dir` on 127.0.0.1 at a free port, as a static host would ("/" is index.html). */
export async function serveSite(dir: string): Promise<{ origin: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname);
    const file = path.join(dir, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
    if (!file.startsWith(dir)) return void response.writeHead(403).end();
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The ids a page's elements carry. */
export function idsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string));
}

/**
 * Where a page's links, stylesheets, scripts and pictures within the site lead: `file` and its
 * `fragment`, relative to the site's root, as a browser resolves them from `page`. Links out
 * (another host, `data:`, `mailto:`) are left out.
 */
export function internalLinks(page: string, html: string): { file: string; fragment: string }[] {
  const base = new URL(page, "http://site.invalid/");
  return [...html.matchAll(/\s(?:href|src)="([^"]*)"/g)].flatMap(([, raw]) => {
    const url = new URL((raw as string).replaceAll("&amp;", "&"), base);
    if (url.origin !== base.origin) return [];
    const file = decodeURIComponent(url.pathname.slice(1)) || "index.html";
    return [
      {
        file: file.endsWith("/") ? `${file}index.html` : file,
        fragment: decodeURIComponent(url.hash.slice(1)),
      },
    ];
  });
}
