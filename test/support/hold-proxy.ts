/**
 * An HTTP proxy to the Telegram stand-in that, once told, holds every sendMessage after the first `n`
 * (never answered: the request never reaches Telegram), so a test can kill the bot while sends are in
 * flight and know that they were not carried out (see test/subscriptions/e2e-crash.test.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export async function startProxy(target: string) {
  let holdAfter = Number.POSITIVE_INFINITY;
  let forwarded = 0;
  const held: ServerResponse[] = [];
  const changes = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const isSend = /\/sendMessage$/i.test(req.url ?? "");
      if (isSend && forwarded >= holdAfter) {
        held.push(res); // never answered: the request never reaches Telegram
        for (const change of [...changes]) change();
        return;
      }
      if (isSend) forwarded++;
      const aborted = new AbortController();
      res.on("close", () => aborted.abort()); // the client died: let go of a held getUpdates upstream
      try {
        const upstream = await fetch(new URL(req.url ?? "/", target), {
          method: req.method ?? "GET",
          headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          signal: aborted.signal,
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, {
          "content-type": upstream.headers.get("content-type") ?? "application/json",
        });
        res.end(body);
      } catch {
        res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    holdSendsAfter(n: number) {
      holdAfter = n;
      forwarded = 0;
    },
    /** Resolves once at least one request is being held. */
    holding: () =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (held.length === 0) return;
          changes.delete(check);
          resolve();
        };
        changes.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
