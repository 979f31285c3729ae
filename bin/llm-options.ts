/**
 * Command-line plumbing for any subcommand that needs a language model: adds the --llm* options
 * to a commander command and builds the model from them. Light at import time (the providers
 * load inside `languageModelFromCommand`).
 *
 * @example
 *   // bin/commands/minecraft.ts: a model when one is named, the offline planner otherwise
 *   addLlmOptions(program.command('minecraft')).action(async (_opts, cmd) => {
 *     const llm = llmConfigured(cmd) ? await languageModelFromCommand(cmd) : undefined;
 *   });
 *   // bin/commands/saycan.ts: no Say score without a model
 *   const model = await requireLanguageModel(cmd, 'skillforge saycan needs a language model for the Say score');
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../core/errors.js';
import type { LlmConfig } from '../agents/llm/config.js';
import type { ChatLanguageModel } from '../agents/llm/language-model.js';

export interface LlmCliOptions {
  llm?: string;
  llmBaseUrl?: string;
  llmConfig?: string;
  llmRecord?: string;
  /** false with --no-llm-cache. */
  llmCache?: boolean;
  /** Seconds, per request (--llm-timeout). */
  llmTimeout?: string;
  /** Tries per request before an outage is declared (--llm-retries). */
  llmRetries?: string;
  /** Seconds an agent waits out a provider outage (--llm-max-outage). */
  llmMaxOutage?: string;
  /** The program's global --data-dir (the cache goes to <dataDir>/llm-cache). */
  dataDir?: string;
  /** Settings from the settings file's profile (model.settings, bin/config.ts); --llm-config and flags win. */
  llmSettings?: LlmConfig;
}

/** Per command: how long it waits out a provider outage when neither flag nor config says. */
const outageDefaults = new WeakMap<Command, number>();

/**
 * Add the --llm* options. `maxOutageSeconds` is the command's default pause while the provider is
 * down: 0 for one-shot commands (fail after the quick retries), minutes for agents that run for hours.
 */
export function addLlmOptions(command: Command, defaults: { maxOutageSeconds?: number } = {}): Command {
  const pause = defaults.maxOutageSeconds ?? 0;
  outageDefaults.set(command, pause);
  return command
    .option(
      '--llm <spec>',
      'language model: openai:<model>, openai-compatible:<model>@<url>, ollama:<model>, anthropic:<model>, gguf:<file.gguf>, replay:<run.jsonl> (default: $SKILLFORGE_LLM)',
    )
    .option('--llm-base-url <url>', 'server URL for the model (vLLM, llama.cpp server, LM Studio, Ollama, a proxy)')
    .option('--llm-config <file>', 'JSON or YAML file with language-model settings (see docs/llm.md)')
    .option('--llm-record <file>', 'append every language-model call to this JSONL transcript (replay it with --llm replay:<file>)')
    .option('--no-llm-cache', 'do not answer repeated language-model requests from the on-disk cache')
    .option('--llm-timeout <s>', 'seconds one model request may take before it is retried (default 60; timeoutMs in --llm-config)')
    .option('--llm-retries <n>', 'tries per model request before the provider counts as down (default 3; retry.attempts in --llm-config)')
    .option(
      '--llm-max-outage <s>',
      `seconds to pause and wait while the model provider is down before giving up (default ${pause}; maxOutageMs in --llm-config)`,
    );
}

function seconds(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new SkillforgeError('E_USAGE', `${flag} must be a number of seconds ≥ ${min}, got '${value}'`);
  return Math.round(n * 1000);
}

function options(from: Command | LlmCliOptions): LlmCliOptions {
  return typeof (from as Command).optsWithGlobals === 'function' ? ((from as Command).optsWithGlobals() as LlmCliOptions) : (from as LlmCliOptions);
}

/** Did the user name a model (flag, config file or SKILLFORGE_LLM)? Lets a command pick its offline baseline. */
export function llmConfigured(from: Command | LlmCliOptions, env: Record<string, string | undefined> = process.env): boolean {
  const o = options(from);
  return Boolean(o.llm || o.llmConfig || env.SKILLFORGE_LLM || o.llmSettings?.provider);
}

/**
 * Build the model the options describe. With none configured this throws E_NO_LLM, whose hint
 * lists the providers, the environment variables and examples.
 */
export async function languageModelFromCommand(
  from: Command | LlmCliOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<ChatLanguageModel> {
  const o = options(from);
  const { createLanguageModel } = await import('../agents/llm/factory.js');
  const timeoutMs = seconds(o.llmTimeout, '--llm-timeout', 0.001);
  const maxOutageMs = seconds(o.llmMaxOutage, '--llm-max-outage', 0);
  let attempts: number | undefined;
  if (o.llmRetries !== undefined) {
    attempts = Number(o.llmRetries);
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20) throw new SkillforgeError('E_USAGE', `--llm-retries must be an integer in [1, 20], got '${o.llmRetries}'`);
  }
  const commandDefault = typeof (from as Command).optsWithGlobals === 'function' ? outageDefaults.get(from as Command) : undefined;
  return createLanguageModel(o.llm, {
    baseUrl: o.llmBaseUrl,
    configFile: o.llmConfig,
    config: commandDefault || o.llmSettings ? { ...(commandDefault ? { maxOutageMs: commandDefault * 1000 } : {}), ...o.llmSettings } : undefined,
    record: o.llmRecord,
    cache: o.llmCache,
    dataDir: o.dataDir,
    env,
    overrides: { timeoutMs, maxOutageMs, attempts },
    report: (line) => process.stderr.write(`skillforge: ${line}\n`),
  });
}

/**
 * `languageModelFromCommand` for a command that cannot work without a model: with none configured
 * the E_NO_LLM error says what the model is needed for (keeping the hint that lists the providers).
 *
 * @example
 *   const model = await requireLanguageModel(cmd, 'skillforge robot needs a language model for the Say score');
 */
export async function requireLanguageModel(
  from: Command | LlmCliOptions,
  needs: string,
  env: Record<string, string | undefined> = process.env,
): Promise<ChatLanguageModel> {
  try {
    return await languageModelFromCommand(from, env);
  } catch (err) {
    if (err instanceof SkillforgeError && err.code === 'E_NO_LLM') throw new SkillforgeError('E_NO_LLM', needs, { hint: err.hint, cause: err });
    throw err;
  }
}
