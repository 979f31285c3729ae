/**
 * A scripted language-model server for tests, on 127.0.0.1 (a free port). It speaks the OpenAI
 * wire format and Ollama's, so real provider clients (langchain's ChatOpenAI / ChatOllama,
 * OpenAIEmbeddings / OllamaEmbeddings, plain fetch) run their real code paths against it.
 * Test tooling only: product code never uses it.
 *
 * API
 *   const server = await FakeLlmServer.start({ replies: ['{"ok":true}', { status: 500 }], ... });
 *   server.url            'http://127.0.0.1:<port>'       (Ollama base URL)
 *   server.openaiBaseUrl  'http://127.0.0.1:<port>/v1'    (OpenAI base URL)
 *   server.requests       every request: { method, path, body (parsed JSON), headers }, in order
 *   server.reply(...r)    append scripted replies; server.remaining() counts unused ones
 *   server.fail(...f)     faults ({ status } or { fault }) answered to the next POST requests of ANY
 *                         endpoint before the scripted replies (e.g. to break echo-logprob scoring)
 *   server.reset()        forget requests and replies (options stay)
 *   await server.close()  (call in after(); pending delayed answers are cut)
 *
 * Replies (consumed in order by every chat/generation request, whatever its format):
 *   'text'                                        the assistant answers 'text'
 *   { text, delayMs?, promptTokens?, completionTokens?, topLogprobs? }
 *                                                 delayMs waits first (to provoke client time-outs);
 *                                                 topLogprobs {token: logprob} are the alternatives of
 *                                                 the first answer token, sent when the client asks
 *                                                 for OpenAI chat logprobs
 *   { status: 500, message?, retryAfter? }        an HTTP error in the endpoint's own error format;
 *                                                 retryAfter is sent as the Retry-After header ('2' or an HTTP-date)
 *   { fault: 'truncate' }                         200 with a Content-Length the body never reaches: the
 *                                                 connection is cut mid-body
 *   { fault: 'garbled' }                          200 with a complete body that is not JSON
 *   { fault: 'hang' }                             accepts the request and never answers (until the client
 *                                                 gives up or the server closes)
 * Connection refused: close the server; `FakeLlmServer.start({ port })` starts it again on the same port.
 * When the script is exhausted the server answers HTTP 418 "no scripted reply left" (not retried).
 *
 * Endpoints
 *   POST /v1/chat/completions   OpenAI chat; `stream: true` answers server-sent events (with a usage
 *                               chunk when stream_options.include_usage)
 *   POST /v1/completions        with echo + logprobs: the prompt(s) tokenized by `tokenize` below and
 *                               scored by options.logprob(context, token), max_tokens 0 generates
 *                               nothing; without echo it consumes a reply. options.completions=false
 *                               makes it answer 404, like a chat-only provider; rejectZeroMaxTokens
 *                               answers 400 to max_tokens 0 and otherwise appends one token ' and'.
 *   POST /v1/embeddings         deterministic `hashedEmbedding` vectors; encoding_format 'base64'
 *                               (the openai SDK's default) or 'float'
 *   POST /api/chat, /api/generate   Ollama; NDJSON stream unless `stream: false`
 *   POST /api/embed             Ollama embeddings, same vectors as /v1/embeddings
 *   POST /v1/messages           Anthropic messages (non-streaming)
 *   GET  /api/tags, /v1/models  lists options.models (default ['test-model'])
 *
 * Deterministic helpers, exported so tests can compute expected values:
 *   tokenize(text)              words and punctuation, each with its leading whitespace; joins back to text
 *   hashedEmbedding(text, dim)  L2-normalised hashed bag of lower-cased words (FNV-1a), dim default 64
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedReply =
  | string
  | { text: string; delayMs?: number; promptTokens?: number; completionTokens?: number; topLogprobs?: Record<string, number> }
  | { status: number; message?: string; delayMs?: number; retryAfter?: string }
  | { fault: 'truncate' | 'garbled' | 'hang' };

export type FaultReply = { status: number; message?: string; retryAfter?: string } | { fault: 'truncate' | 'garbled' | 'hang' };

export interface FakeLlmServerOptions {
  replies?: ScriptedReply[];
  /** Log-probability of `token` following `context` (for /v1/completions echo). Default: -1 - length/10. */
  logprob?: (context: string, token: string) => number;
  /** false: /v1/completions answers 404. Default true. */
  completions?: boolean;
  /** Answer 400 to max_tokens 0 (as some servers do); with max_tokens > 0 one token ' and' is generated after the echo. */
  rejectZeroMaxTokens?: boolean;
  /** Embedding size. Default 64. */
  embeddingDim?: number;
  models?: string[];
  /** Listen on this port (default: a free one); to bring a closed server back at the same address. */
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: any;
  headers: IncomingMessage['headers'];
  /** When the request arrived (ms since epoch). */
  at: number;
}

/** Words and punctuation with their leading whitespace; trailing whitespace is its own token. */
export function tokenize(text: string): string[] {
  return text.match(/\s*(?:[A-Za-z0-9_]+|[^\sA-Za-z0-9_])|\s+/g) ?? [];
}

/** Deterministic unit vector: hashed bag of lower-cased words. Equal texts give equal vectors. */
export function hashedEmbedding(text: string, dim = 64): number[] {
  const v = new Array<number>(dim).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) {
      h ^= word.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h >>>= 0;
    v[h % dim]! += (h & 0x80000000) === 0 ? 1 : -1;
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}

const defaultLogprob = (_context: string, token: string) => -1 - token.trim().length / 10;

export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  private replies: ScriptedReply[];
  private faults: FaultReply[] = [];
  private readonly options: FakeLlmServerOptions;
  private server!: Server;
  private port = 0;

  private constructor(options: FakeLlmServerOptions) {
    this.options = options;
    this.replies = [...(options.replies ?? [])];
  }

  static async start(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
    const s = new FakeLlmServer(options);
    s.server = createServer((req, res) => {
      s.handle(req, res).catch((err) => {
        if (!res.headersSent) send(res, 500, { error: { message: String(err) } });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get openaiBaseUrl(): string {
    return `${this.url}/v1`;
  }

  reply(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }
  fail(...faults: FaultReply[]): void {
    this.faults.push(...faults);
  }
  remaining(): number {
    return this.replies.length;
  }
  reset(): void {
    this.replies = [];
    this.faults = [];
    this.requests.length = 0;
  }
  /** Requests to one path, e.g. server.to('/v1/completions'). */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, 400, { error: { message: 'request body is not JSON' } });
      }
    }
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push({ method: req.method ?? 'GET', path, body, headers: req.headers, at: Date.now() });
    const injected = req.method === 'POST' ? this.faults.shift() : undefined;
    if (injected && 'fault' in injected) return fault(res, injected.fault);
    if (injected && 'status' in injected) {
      const headers: Record<string, string> = injected.retryAfter === undefined ? {} : { 'retry-after': injected.retryAfter };
      return send(res, injected.status, { error: { message: injected.message ?? `scripted HTTP ${injected.status}`, type: 'server_error' } }, headers);
    }
    const models = this.options.models ?? ['test-model'];
    if (req.method === 'GET' && path === '/v1/models') return send(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model' })) });
    if (req.method === 'GET' && path === '/api/tags') return send(res, 200, { models: models.map((name) => ({ name, model: name })) });
    if (req.method !== 'POST') return send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    switch (path) {
      case '/v1/chat/completions':
        return this.openaiChat(body, res);
      case '/v1/completions':
        return this.openaiCompletions(body, res);
      case '/v1/embeddings':
        return this.openaiEmbeddings(body, res);
      case '/api/chat':
      case '/api/generate':
        return this.ollamaGenerate(path, body, res);
      case '/api/embed':
        return this.ollamaEmbed(body, res);
      case '/v1/messages':
        return this.anthropicMessages(body, res);
      default:
        return send(res, 404, { error: { message: `no route POST ${path}` } });
    }
  }

  /** Next reply after its delay; undefined when the client went away meanwhile. */
  private async next(res: ServerResponse): Promise<ScriptedReply | 'exhausted' | undefined> {
    const reply = this.replies.shift();
    if (reply === undefined) return 'exhausted';
    const delay = typeof reply === 'object' && 'delayMs' in reply ? reply.delayMs ?? 0 : 0;
    if (delay > 0) {
      await new Promise((r) => setTimeout(r, delay));
      if (res.destroyed || res.writableEnded || res.socket?.destroyed) return undefined;
    }
    return reply;
  }

  private async openaiChat(body: any, res: ServerResponse): Promise<void> {
    const reply = await this.next(res);
    if (reply === undefined) return;
    if (reply === 'exhausted') return send(res, 418, { error: { message: 'fake server: no scripted reply left', type: 'test_error' } });
    if (typeof reply === 'object' && 'fault' in reply) return fault(res, reply.fault);
    if (typeof reply === 'object' && 'status' in reply) {
      const headers: Record<string, string> = reply.retryAfter === undefined ? {} : { 'retry-after': reply.retryAfter };
      return send(res, reply.status, { error: { message: reply.message ?? `scripted HTTP ${reply.status}`, type: 'server_error' } }, headers);
    }
    const r = typeof reply === 'string' ? { text: reply } : reply;
    const promptText = (body?.messages ?? []).map((m: any) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');
    const usage = counts(promptText, r);
    const tokens = tokenize(r.text);
    const model = body?.model ?? 'test-model';
    const logprobs = body?.logprobs
      ? {
          content: tokens.map((t, i) => {
            const alts = i === 0 && r.topLogprobs ? r.topLogprobs : { [t]: -0.1 };
            const top = Object.entries(alts)
              .sort((a, b) => b[1] - a[1])
              .slice(0, body.top_logprobs ?? 0)
              .map(([token, logprob]) => ({ token, logprob, bytes: null }));
            return { token: t, logprob: alts[t] ?? -0.1, bytes: null, top_logprobs: top };
          }),
        }
      : null;
    if (body?.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: now(), model };
      const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      event({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
      tokens.forEach((t, i) =>
        event({ ...base, choices: [{ index: 0, delta: { content: t }, finish_reason: null, ...(logprobs ? { logprobs: { content: [logprobs.content[i]] } } : {}) }] }),
      );
      event({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      if (body.stream_options?.include_usage) event({ ...base, choices: [], usage: openaiUsage(usage) });
      res.end('data: [DONE]\n\n');
      return;
    }
    send(res, 200, {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: now(),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: r.text }, logprobs, finish_reason: 'stop' }],
      usage: openaiUsage(usage),
    });
  }

  private async openaiCompletions(body: any, res: ServerResponse): Promise<void> {
    if (this.options.completions === false) return send(res, 404, { error: { message: 'The completions endpoint is not supported for this model' } });
    const prompts: string[] = Array.isArray(body?.prompt) ? body.prompt : [String(body?.prompt ?? '')];
    if (!body?.echo) {
      const reply = await this.next(res);
      if (reply === undefined) return;
      if (reply === 'exhausted') return send(res, 418, { error: { message: 'fake server: no scripted reply left' } });
      if (typeof reply === 'object' && 'fault' in reply) return fault(res, reply.fault);
      if (typeof reply === 'object' && 'status' in reply) return send(res, reply.status, { error: { message: reply.message ?? `scripted HTTP ${reply.status}` } });
      const text = typeof reply === 'string' ? reply : reply.text;
      return send(res, 200, { id: 'cmpl-fake', object: 'text_completion', created: now(), model: body?.model, choices: [{ index: 0, text, logprobs: null, finish_reason: 'stop' }] });
    }
    if (this.options.rejectZeroMaxTokens && !body.max_tokens) return send(res, 400, { error: { message: 'max_tokens must be at least 1' } });
    const generate = body.max_tokens > 0 ? ' and' : '';
    const scoreToken = this.options.logprob ?? defaultLogprob;
    let promptTokens = 0;
    const choices = prompts.map((prompt, index) => {
      const tokens = tokenize(prompt);
      const offsets: number[] = [];
      const token_logprobs: Array<number | null> = [];
      let at = 0;
      for (const t of tokens) {
        offsets.push(at);
        token_logprobs.push(at === 0 ? null : scoreToken(prompt.slice(0, at), t));
        at += t.length;
      }
      promptTokens += tokens.length;
      if (generate) {
        tokens.push(generate);
        offsets.push(at);
        token_logprobs.push(-0.5);
      }
      return {
        index,
        text: prompt + generate,
        logprobs: body.logprobs == null ? null : { tokens, token_logprobs, text_offset: offsets, top_logprobs: null },
        finish_reason: 'length',
      };
    });
    send(res, 200, {
      id: 'cmpl-fake',
      object: 'text_completion',
      created: now(),
      model: body?.model,
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens },
    });
  }

  private openaiEmbeddings(body: any, res: ServerResponse): void {
    const inputs = asTexts(body?.input);
    const dim = this.options.embeddingDim ?? 64;
    const data = inputs.map((text, index) => {
      const vector = hashedEmbedding(text, dim);
      const embedding = body?.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((n, t) => n + tokenize(t).length, 0);
    send(res, 200, { object: 'list', data, model: body?.model ?? 'test-model', usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  private async anthropicMessages(body: any, res: ServerResponse): Promise<void> {
    const reply = await this.next(res);
    if (reply === undefined) return;
    if (reply === 'exhausted') return send(res, 418, { type: 'error', error: { type: 'invalid_request_error', message: 'fake server: no scripted reply left' } });
    if (typeof reply === 'object' && 'fault' in reply) return fault(res, reply.fault);
    if (typeof reply === 'object' && 'status' in reply) {
      return send(res, reply.status, { type: 'error', error: { type: 'api_error', message: reply.message ?? `scripted HTTP ${reply.status}` } });
    }
    const r = typeof reply === 'string' ? { text: reply } : reply;
    const system = typeof body?.system === 'string' ? body.system : JSON.stringify(body?.system ?? '');
    const promptText = [system, ...(body?.messages ?? []).map((m: any) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)))].join('\n');
    const usage = counts(promptText, r);
    send(res, 200, {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model: body?.model ?? 'test-model',
      content: [{ type: 'text', text: r.text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
    });
  }

  private ollamaEmbed(body: any, res: ServerResponse): void {
    const inputs = asTexts(body?.input);
    send(res, 200, { model: body?.model ?? 'test-model', embeddings: inputs.map((t) => hashedEmbedding(t, this.options.embeddingDim ?? 64)) });
  }

  private async ollamaGenerate(path: string, body: any, res: ServerResponse): Promise<void> {
    const reply = await this.next(res);
    if (reply === undefined) return;
    if (reply === 'exhausted') return send(res, 418, { error: 'fake server: no scripted reply left' });
    if (typeof reply === 'object' && 'fault' in reply) return fault(res, reply.fault);
    if (typeof reply === 'object' && 'status' in reply) return send(res, reply.status, { error: reply.message ?? `scripted HTTP ${reply.status}` });
    const r = typeof reply === 'string' ? { text: reply } : reply;
    const chat = path === '/api/chat';
    const promptText = chat ? (body?.messages ?? []).map((m: any) => String(m.content ?? '')).join('\n') : String(body?.prompt ?? '');
    const usage = counts(promptText, r);
    const model = body?.model ?? 'test-model';
    const piece = (text: string) => (chat ? { message: { role: 'assistant', content: text } } : { response: text });
    const final = {
      model,
      created_at: new Date().toISOString(),
      ...piece(''),
      done: true,
      done_reason: 'stop',
      total_duration: 1000,
      load_duration: 10,
      prompt_eval_count: usage.prompt,
      prompt_eval_duration: 100,
      eval_count: usage.completion,
      eval_duration: 500,
    };
    if (body?.stream === false) return send(res, 200, { ...final, ...piece(r.text) });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const t of tokenize(r.text)) res.write(`${JSON.stringify({ model, created_at: new Date().toISOString(), ...piece(t), done: false })}\n`);
    res.end(`${JSON.stringify(final)}\n`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The faults a real server or proxy shows: a body cut off, a body that is not JSON, no answer at all. */
function fault(res: ServerResponse, kind: 'truncate' | 'garbled' | 'hang'): void {
  const partial = '{"id":"chatcmpl-fake","object":"chat.completion","choices":[{"index":0,"message":{"role":"assist';
  if (kind === 'hang') return;
  if (kind === 'garbled') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(partial) });
    res.end(partial);
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(partial) + 500 });
  res.write(partial, () => res.socket?.destroy());
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function counts(promptText: string, r: { text: string; promptTokens?: number; completionTokens?: number }) {
  return { prompt: r.promptTokens ?? tokenize(promptText).length, completion: r.completionTokens ?? tokenize(r.text).length };
}

function openaiUsage(u: { prompt: number; completion: number }) {
  return { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion };
}

function asTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input)) return input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  return [];
}
