/**
 * ChatLanguageModel: the LanguageModel agents use, on top of any Backend (a langchain provider,
 * a GGUF model, or a replayed transcript). It adds what every provider needs the same way:
 * per-request time-out, retries with backoff for transient failures, the on-disk response cache,
 * transcript recording, usage counts, schema-checked structured output and Say scoring.
 *
 * @example
 *   const llm = await createLanguageModel('ollama:llama3.1');          // see factory.ts
 *   const plan = await llm.structured<{ steps: string[] }>(
 *     [{ role: 'user', content: 'Plan: make bread' }],
 *     { type: 'object', required: ['steps'], properties: { steps: { type: 'array', items: { type: 'string' } } } });
 *   const say = await llm.scoreOptions('Robot: I would', [' pick up the apple', ' open the drawer']);
 */
import { SkillforgeError, errorMessage } from '../../core/errors.js';
import { AbortedError, TimeoutError, withTimeout } from '../../core/timeout.js';
import type { JsonSchema, JsonValue } from '../../core/types.js';
import { ValidationError, validator } from '../../core/validate.js';
import type { Backend, BackendCallOptions, ChatResult, LogprobResult } from './backend.js';
import { ResponseCache, requestKey } from './cache.js';
import { LogprobsUnsupportedError, ProviderError, StructuredOutputError, type StructuredAttempt } from './errors.js';
import { extractJson } from './json.js';
import type { ChatMessage, ChatOptions, LanguageModel, OptionScores, ScoreMethod, StructuredOptions, UsageCounters } from './model.js';
import { renderMessages, renderPrompt } from './prompts.js';
import { backoffSleep, defaultRetryPolicy, errorStatus, isTransient, retryDelay, type RetryPolicy } from './retry.js';
import { ProviderCircuit, describeFailure } from './circuit.js';
import { choiceScores, numberedOptions, parseChoice, rankingScores, softmax, voteScores } from './scoring.js';
import { TranscriptRecorder, chatRequest, logprobRequest, type CallKind } from './transcript.js';

/** 'auto' tries log-likelihoods, then chat top-logprobs ('choice'), then 'ranking'. */
export type ScoringMode = 'auto' | ScoreMethod;

export interface ChatLanguageModelOptions {
  backend: Backend;
  cache?: ResponseCache;
  recorder?: TranscriptRecorder;
  retry?: Partial<RetryPolicy>;
  /** Per request (each retry gets a fresh budget). Default 60 s. */
  timeoutMs?: number;
  /**
   * How long a request may wait out a provider outage once its quick retries are spent, probing
   * with back-off (the agent is paused meanwhile). Default 0: fail after the retries.
   */
  maxOutageMs?: number;
  /** One line per outage start and end (bin/ prints them on stderr). */
  report?: (line: string) => void;
  /** Extra attempts after invalid structured output. Default 2. */
  structuredRetries?: number;
  scoring?: ScoringMode;
  /** Samples for the 'votes' method. Default 5. */
  votes?: number;
  /**
   * 'sum' (default): an option's log-likelihood, as in SayCan; longer options score lower.
   * 'mean': per-token average, which removes that length bias.
   */
  normalize?: 'sum' | 'mean';
  /** Used when a call does not say. */
  temperature?: number;
  maxTokens?: number;
  /** Where the provider lives, for error hints ("the Ollama server at http://…"). */
  where?: string;
  /**
   * Separates cache entries of equally named models on different servers (the factory passes the
   * base URL). Transcript keys leave it out, so a run replays whatever server it was recorded on.
   */
  cacheScope?: string;
}

export class ChatLanguageModel implements LanguageModel {
  readonly id: string;
  readonly backend: Backend;
  private readonly cache?: ResponseCache;
  private readonly recorder?: TranscriptRecorder;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxOutageMs: number;
  private readonly circuit: ProviderCircuit;
  private readonly structuredRetries: number;
  private readonly scoring: ScoringMode;
  private readonly votes: number;
  private readonly normalize: 'sum' | 'mean';
  private readonly defaults: { temperature?: number; maxTokens?: number };
  private readonly where?: string;
  private readonly cacheScope?: string;
  private counters: UsageCounters = { calls: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 };
  /** Learned at run time: this endpoint cannot score given text / return chat logprobs. */
  private noContinuationLogprobs = false;
  private noChatLogprobs = false;

  constructor(options: ChatLanguageModelOptions) {
    this.backend = options.backend;
    this.id = options.backend.id;
    this.cache = options.cache;
    this.recorder = options.recorder;
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxOutageMs = options.maxOutageMs ?? 0;
    this.circuit = new ProviderCircuit(options.where ? `${this.id} (${shortWhere(options.where)})` : this.id, options.report);
    this.structuredRetries = options.structuredRetries ?? 2;
    this.scoring = options.scoring ?? 'auto';
    this.votes = options.votes ?? 5;
    this.normalize = options.normalize ?? 'sum';
    this.defaults = { temperature: options.temperature, maxTokens: options.maxTokens };
    this.where = options.where;
    this.cacheScope = options.cacheScope;
    this.recorder?.header(this.backend);
  }

  usage(): UsageCounters {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    await this.backend.close?.();
  }

  async chat(messages: ChatMessage[], options: ChatOptions = {}): Promise<string> {
    return (await this.chatCall(messages, options)).text;
  }

  async structured<T>(messages: ChatMessage[], schema: JsonSchema, options: StructuredOptions = {}): Promise<T> {
    const what = options.what ?? 'answer';
    const check = validator<T>(schema, what);
    const instruction = renderPrompt('json-answer', { what, schema: JSON.stringify(schema) });
    const conversation = withSystem(messages, instruction);
    const retries = options.retries ?? this.structuredRetries;
    const attempts: StructuredAttempt[] = [];
    for (let attempt = 0; attempt <= retries; attempt++) {
      const text = await this.chat(conversation, options);
      const extracted = extractJson(text);
      let error: string;
      if (extracted.ok) {
        try {
          return check(extracted.value);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          error = `it does not match the schema: ${e.errors.join('; ')}`;
        }
      } else error = extracted.error;
      attempts.push({ output: text.slice(0, 2000), error });
      conversation.push({ role: 'assistant', content: text }, { role: 'user', content: renderPrompt('json-repair', { error, what }) });
    }
    throw new StructuredOutputError(what, this.id, attempts);
  }

  async scoreOptions(prompt: string, options: string[], chatOptions: ChatOptions = {}): Promise<OptionScores> {
    if (options.length === 0) return { logScores: [], probabilities: [], method: this.scoring === 'auto' ? 'ranking' : this.scoring };
    const mode = this.scoring;
    if ((mode === 'auto' || mode === 'logprobs') && this.backend.continuationLogprobs && !this.noContinuationLogprobs) {
      try {
        const { logprobs, tokens } = await this.logprobCall(prompt, options, chatOptions);
        const normalized = this.normalize === 'mean' && tokens ? logprobs.map((l, i) => l / Math.max(1, tokens[i]!)) : logprobs;
        return scores(normalized, 'logprobs');
      } catch (e) {
        if (!(e instanceof LogprobsUnsupportedError) || mode === 'logprobs') throw e;
        this.noContinuationLogprobs = true;
      }
    }
    if (mode === 'logprobs') {
      throw new LogprobsUnsupportedError(this.id, 'the provider has no way to score given text');
    }
    if ((mode === 'auto' || mode === 'choice') && this.backend.chatLogprobs && !this.noChatLogprobs) {
      const result = await this.chatCall(renderMessages('choose-option', { prompt, options: numberedOptions(options) }), {
        ...chatOptions,
        temperature: 0,
        maxTokens: 3,
        topLogprobs: 20,
      });
      const logScores = choiceScores(result.topLogprobs?.[0], options.length);
      if (logScores) return scores(logScores, 'choice');
      if (mode === 'choice') {
        throw new SkillforgeError('E_LLM_NO_LOGPROBS', `${this.id} returned no log-probabilities for the option numbers`, {
          hint: "set scoring: 'ranking' or 'votes' in the --llm-config file",
        });
      }
      // No log-probabilities at all: the endpoint lacks them, stop asking. Prose instead of a
      // number: only this call falls back to ranking.
      if (!result.topLogprobs?.length) this.noChatLogprobs = true;
    } else if (mode === 'choice') {
      throw new LogprobsUnsupportedError(this.id, "the 'choice' method needs chat log-probabilities (OpenAI-style top_logprobs)");
    }
    if (mode === 'votes') {
      const picks: number[] = [];
      const messages = renderMessages('choose-option', { prompt, options: numberedOptions(options) });
      for (let i = 0; i < this.votes; i++) {
        const result = await this.chatCall(messages, { temperature: 1, ...chatOptions, maxTokens: 8, sample: i });
        picks.push(parseChoice(result.text, options.length));
      }
      return scores(voteScores(picks, options.length), 'votes');
    }
    const top = Math.min(options.length, 10);
    const ranking = await this.structured<number[]>(
      renderMessages('rank-options', { prompt, options: numberedOptions(options), top }),
      rankingSchema(options.length),
      { ...chatOptions, temperature: 0, what: 'ranking of option numbers' },
    );
    return scores(rankingScores(ranking, options.length), 'ranking');
  }

  // --- one request: cache -> provider (time-out, retries) -> record ---

  private async chatCall(messages: ChatMessage[], options: ChatOptions & { topLogprobs?: number; sample?: number }): Promise<ChatResult> {
    const call: Omit<BackendCallOptions, 'signal'> = {
      temperature: options.temperature ?? this.defaults.temperature,
      maxTokens: options.maxTokens ?? this.defaults.maxTokens,
      stop: options.stop,
      topLogprobs: options.topLogprobs,
      sample: options.sample,
    };
    const request = chatRequest(this.id, messages, call);
    return this.request<ChatResult>('chat', request, options, (signal) => this.backend.chat(messages, { ...call, signal }));
  }

  private async logprobCall(prompt: string, continuations: string[], options: ChatOptions): Promise<LogprobResult> {
    const fn = this.backend.continuationLogprobs!;
    const request = logprobRequest(this.id, prompt, continuations);
    return this.request<LogprobResult>('logprobs', request, options, (signal) => fn(prompt, continuations, { signal }));
  }

  private async request<R extends ChatResult | LogprobResult>(
    kind: CallKind,
    request: JsonValue,
    options: ChatOptions,
    send: (signal: AbortSignal) => Promise<R>,
  ): Promise<R> {
    const key = requestKey(request);
    const cacheKey = this.cacheScope ? requestKey({ scope: this.cacheScope, request }) : key;
    const hit = this.cache?.get(cacheKey) as R | undefined;
    if (hit) {
      this.counters.cacheHits++;
      this.recorder?.record({ kind, model: this.id, key, request, response: hit as unknown as JsonValue, cached: true });
      return hit;
    }
    let result: R;
    try {
      result = await this.withRetries(kind, options, send);
    } catch (e) {
      const code = e instanceof SkillforgeError ? e.code : 'E_LLM_PROVIDER';
      if (!(e instanceof AbortedError)) this.recorder?.record({ kind, model: this.id, key, request, response: null, error: { code, message: errorMessage(e) }, cached: false });
      throw e;
    }
    const replayed = (this.backend as { replayed?: boolean }).replayed === true;
    if (replayed) this.counters.cacheHits++;
    else {
      this.counters.promptTokens += result.promptTokens ?? 0;
      this.counters.completionTokens += 'completionTokens' in result ? result.completionTokens : 0;
    }
    const response = JSON.parse(JSON.stringify(result)) as JsonValue;
    if (!replayed) {
      try {
        this.cache?.set(cacheKey, request, response);
      } catch {
        // The cache is an optimisation: a full disk costs a repeated request later, not this answer.
      }
    }
    this.recorder?.record({ kind, model: this.id, key, request, response, cached: replayed });
    return result;
  }

  private async withRetries<R>(kind: CallKind, options: ChatOptions, send: (signal: AbortSignal) => Promise<R>): Promise<R> {
    const what = `${this.id} ${kind === 'chat' ? 'chat' : 'scoring'} request`;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const replayed = (this.backend as { replayed?: boolean }).replayed === true;
    const started = Date.now();
    // After its first transient failure this request is the one probing the provider: it does not
    // wait for itself.
    let probing = false;
    for (let attempt = 1; ; attempt++) {
      if (!replayed && !probing) await this.circuit.admit(options.signal);
      const controller = new AbortController();
      const onAbort = () => controller.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        if (!replayed) this.counters.calls++;
        const result = await withTimeout(send(controller.signal), timeoutMs, what, { signal: options.signal });
        if (!replayed) this.circuit.succeeded();
        return result;
      } catch (e) {
        controller.abort(e);
        if (options.signal?.aborted) {
          this.circuit.release();
          throw e instanceof AbortedError ? e : new AbortedError(what, options.signal.reason);
        }
        if (e instanceof LogprobsUnsupportedError || (e instanceof SkillforgeError && e.code.startsWith('E_REPLAY'))) throw e;
        if (replayed) throw e;
        const transient = isTransient(e);
        if (!transient) {
          // The provider answered (a 4xx, say): it is up, whatever this request's fault.
          this.circuit.succeeded();
          throw this.providerError(what, e, attempt, false, started);
        }
        const delay = retryDelay(this.retry, attempt, e);
        const outage = this.circuit.outageMs();
        const spent = attempt >= this.retry.attempts;
        // Quick retries always happen; past them the agent is paused only within maxOutageMs. A
        // Retry-After beyond both is not waited for blindly: the error says how long was asked.
        const tooLong = delay.retryAfter && delay.ms > this.retry.maxDelayMs && outage + delay.ms > this.maxOutageMs;
        if ((spent && outage + delay.ms > this.maxOutageMs) || tooLong) {
          this.circuit.release();
          throw this.providerError(what, e, attempt, true, started, tooLong ? delay.ms : undefined);
        }
        const next = `retrying in ${(delay.ms / 1000).toFixed(1)} s${delay.retryAfter ? ' as asked by Retry-After' : ''}` +
          (this.maxOutageMs > 0
            ? `; the agent is paused while it is down (up to ${formatSeconds(this.maxOutageMs)})`
            : ` (${this.retry.attempts} attempts in all)`);
        this.circuit.failed(describeFailure(e), next);
        probing = true;
        await backoffSleep(delay.ms, options.signal).catch((err: unknown) => {
          this.circuit.release();
          throw err;
        });
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
    }
  }

  private providerError(what: string, e: unknown, attempts: number, transient: boolean, started: number, askedMs?: number): ProviderError {
    const status = errorStatus(e);
    const elapsed = (Date.now() - started) / 1000;
    const tries = attempts === 1 ? '' : ` (after ${attempts} attempts over ${elapsed.toFixed(1)} s)`;
    let hint: string | undefined;
    if (status === 401 || status === 403) hint = 'the provider refused the credentials: check the API key (OPENAI_API_KEY, ANTHROPIC_API_KEY or apiKey in the --llm-config file)';
    else if (status === 404) hint = `check the model name '${this.id}' and the base URL${this.where ? ` (${this.where})` : ''}`;
    else if (askedMs !== undefined) hint = `the provider asked to wait ${formatSeconds(askedMs)} (Retry-After); to wait that long, pass --llm-max-outage ${Math.ceil(askedMs / 1000)} (or maxOutageMs in the --llm-config file)`;
    else if (e instanceof TimeoutError) hint = 'the model did not answer in time: raise --llm-timeout (timeoutMs in the --llm-config file) or use a faster model';
    else if (transient) hint = `is ${this.where ?? 'the provider'} running and reachable? Point at another with --llm-base-url; to wait out longer outages pass --llm-max-outage <seconds>`;
    const message = `${what} failed${tries}: ${describeFailure(e)}`;
    const code = e instanceof TimeoutError ? 'E_LLM_TIMEOUT' : transient ? 'E_LLM_UNAVAILABLE' : 'E_LLM_PROVIDER';
    return new ProviderError(message, { hint, cause: e, attempts, status, code, transient });
  }
}

/** "the Ollama server at http://h:1 (start it with ...)" -> "the Ollama server at http://h:1". */
function shortWhere(where: string): string {
  return where.replace(/\s*\(.*\)$/, '');
}

function formatSeconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 100) / 10} s`;
}

// One schema object per option count: ajv keeps every compiled schema, keyed by object.
const rankingSchemas = new Map<number, JsonSchema>();
function rankingSchema(n: number): JsonSchema {
  let schema = rankingSchemas.get(n);
  if (!schema) {
    schema = { type: 'array', items: { type: 'integer', minimum: 1, maximum: n }, minItems: 1, uniqueItems: true };
    rankingSchemas.set(n, schema);
  }
  return schema;
}

function scores(logScores: number[], method: ScoreMethod): OptionScores {
  return { logScores, probabilities: softmax(logScores), method };
}

/** Add an instruction to the system message (Anthropic accepts only one, first). */
function withSystem(messages: ChatMessage[], instruction: string): ChatMessage[] {
  const copy = messages.map((m) => ({ ...m }));
  if (copy[0]?.role === 'system') copy[0].content = `${copy[0].content}\n\n${instruction}`;
  else copy.unshift({ role: 'system', content: instruction });
  return copy;
}
