/**
 * The dashboard's web server (fastify): the static page, uPlot from node_modules (no CDN), a JSON API
 * over the skill library, and the hub's events as Server-Sent Events.
 *
 * Access: it binds 127.0.0.1 unless told otherwise, and every request must carry the random token
 * printed in the link (`?token=`, or the `sf_token` cookie the page gets on its first load, or an
 * `Authorization: Bearer` header); anything else gets 401 before any route runs. The token is
 * compared in constant time.
 *
 * @example
 *   const ui = await startUiServer({ hub, library });
 *   console.log(`dashboard: ${ui.url}`);   // http://127.0.0.1:40123/?token=3f9c...
 *   await ui.close();
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import type { UiHub } from './hub.js';
import { LibraryView, type LibrarySource } from './library-view.js';

export interface UiServerOptions {
  hub: UiHub;
  /** The skill library to browse (optional: a robot run may have none). */
  library?: LibrarySource;
  /** Per-agent trust views shown beside a skill's status (skills/trust.ts AgentTrust fits). */
  trust?: LibraryView['trust'];
  /** Default 127.0.0.1. Anything else is reachable from the network: callers warn (see `isLoopback`). */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default: 24 random bytes, hex. */
  token?: string;
}

export interface UiServer {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const COOKIE = 'sf_token';
const FLUSH_MS = 100;

/** Static files: name -> [path, content type]. Read once; the list is closed (no path from the request). */
function staticFiles(): Map<string, { file: string; type: string }> {
  const uplotDist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  return new Map([
    ['/', { file: join(here, 'public', 'index.html'), type: 'text/html; charset=utf-8' }],
    ['/app.js', { file: join(here, 'public', 'app.js'), type: 'text/javascript; charset=utf-8' }],
    ['/style.css', { file: join(here, 'public', 'style.css'), type: 'text/css; charset=utf-8' }],
    ['/vendor/uPlot.iife.min.js', { file: join(uplotDist, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' }],
    ['/vendor/uPlot.min.css', { file: join(uplotDist, 'uPlot.min.css'), type: 'text/css; charset=utf-8' }],
  ]);
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function tokenOf(req: FastifyRequest): string | undefined {
  const q = (req.query as Record<string, unknown> | undefined)?.token;
  if (typeof q === 'string') return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const cookie = req.headers.cookie;
  if (cookie) {
    for (const part of cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === COOKIE) return decodeURIComponent(v.join('='));
    }
  }
  return undefined;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const hub = options.hub;
  const files = staticFiles();
  const cache = new Map<string, Buffer>();
  const library = options.library ? new LibraryView(options.library, options.trust) : undefined;
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const streams = new Set<FastifyReply>();

  app.addHook('onRequest', async (req, reply) => {
    if (!sameToken(tokenOf(req), token)) {
      await reply.code(401).type('text/plain; charset=utf-8').send('skillforge ui: this link needs its access token (open the link the command printed, with ?token=...)\n');
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    // The page loads nothing from elsewhere: say so to the browser too.
    reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  for (const [route, { file, type }] of files) {
    app.get(route, async (req, reply) => {
      let body = cache.get(file);
      if (!body) {
        body = readFileSync(file);
        cache.set(file, body);
      }
      if (route === '/') {
        // The token moves into an HttpOnly cookie so the page's own requests (EventSource, fetch) carry it.
        reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      }
      return reply.type(type).send(body);
    });
  }

  app.get('/api/snapshot', async () => hub.snapshot());

  app.get('/api/events', (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`event: snapshot\ndata: ${JSON.stringify(hub.snapshot())}\n\n`);
    // Frames are batched: one write per 100 ms at most, so a learner emitting hundreds of events a
    // second pays for a few syscalls, not hundreds (bench/ui.bench.ts).
    let pending = '';
    let flush: NodeJS.Timeout | undefined;
    const unsubscribe = hub.subscribe((_e, json) => {
      pending += `data: ${json}\n\n`;
      flush ??= setTimeout(() => {
        flush = undefined;
        const chunk = pending;
        pending = '';
        res.write(chunk);
      }, FLUSH_MS);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    ping.unref();
    streams.add(reply);
    req.raw.on('close', () => {
      clearTimeout(flush);
      clearInterval(ping);
      unsubscribe();
      streams.delete(reply);
    });
  });

  const needLibrary = () => {
    if (!library) throw new SkillforgeError('E_UI_NO_LIBRARY', 'this run has no skill library to browse');
    return library;
  };
  app.get('/api/skills', async (req) => {
    const q = req.query as { q?: string; k?: string; env?: string };
    const k = Math.min(100, Math.max(1, Number(q.k ?? 20) || 20));
    return needLibrary().search(typeof q.q === 'string' ? q.q : '', k, q.env);
  });
  app.get('/api/skills/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    const detail = await needLibrary().detail(name);
    if (!detail) return reply.code(404).send({ error: `no skill '${name}' in the library` });
    return detail;
  });
  app.get('/api/skills/:name/diff', async (req, reply) => {
    const { name } = req.params as { name: string };
    const q = req.query as { from?: string; to?: string };
    const diff = await needLibrary().diff(name, Number(q.from), Number(q.to));
    if (!diff) return reply.code(404).send({ error: `no such versions of '${name}'` });
    return diff;
  });
  app.get('/api/export', async (_req, reply) => {
    const bundle = await needLibrary().exportBundle();
    const stamp = bundle.createdAt.replace(/[:.]/g, '-');
    return reply.header('content-disposition', `attachment; filename="skillforge-library-${stamp}.json"`).type('application/json').send(JSON.stringify(bundle, null, 2));
  });
  app.post('/api/action/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    if (!(await hub.trigger(name))) return reply.code(404).send({ error: `nothing to '${name}' in this run` });
    return { ok: true, name, time: Date.now() };
  });

  app.setErrorHandler(async (err, _req, reply) => {
    const code = err instanceof SkillforgeError ? 400 : ((err as { statusCode?: number }).statusCode ?? 500);
    await reply.code(code).send({ error: errorMessage(err) });
  });

  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    host,
    port,
    token,
    async close() {
      for (const s of streams) s.raw.end();
      streams.clear();
      await app.close();
    },
  };
}
