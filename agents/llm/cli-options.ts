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
import { SkillforgeError } from '../../core/errors.js';
import type { ChatLanguageModel } from './language-model.js';

export interface LlmCliOptions {
  llm?: string;
  llmBaseUrl?: string;
  llmConfig?: string;
  llmRecord?: string;
  /** false with --no-llm-cache. */
  llmCache?: boolean;
  /** The program's global --data-dir (the cache goes to <dataDir>/llm-cache). */
  dataDir?: string;
}

export function addLlmOptions(command: Command): Command {
  return command
    .option(
      '--llm <spec>',
      'language model: openai:<model>, openai-compatible:<model>@<url>, ollama:<model>, anthropic:<model>, gguf:<file.gguf>, replay:<run.jsonl> (default: $SKILLFORGE_LLM)',
    )
    .option('--llm-base-url <url>', 'server URL for the model (vLLM, llama.cpp server, LM Studio, Ollama, a proxy)')
    .option('--llm-config <file>', 'JSON or YAML file with language-model settings (see docs/llm.md)')
    .option('--llm-record <file>', 'append every language-model call to this JSONL transcript (replay it with --llm replay:<file>)')
    .option('--no-llm-cache', 'do not answer repeated language-model requests from the on-disk cache');
}

function options(from: Command | LlmCliOptions): LlmCliOptions {
  return typeof (from as Command).optsWithGlobals === 'function' ? ((from as Command).optsWithGlobals() as LlmCliOptions) : (from as LlmCliOptions);
}

/** Did the user name a model (flag, config file or SKILLFORGE_LLM)? Lets a command pick its offline baseline. */
export function llmConfigured(from: Command | LlmCliOptions, env: Record<string, string | undefined> = process.env): boolean {
  const o = options(from);
  return Boolean(o.llm || o.llmConfig || env.SKILLFORGE_LLM);
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
  const { createLanguageModel } = await import('./factory.js');
  return createLanguageModel(o.llm, {
    baseUrl: o.llmBaseUrl,
    configFile: o.llmConfig,
    record: o.llmRecord,
    cache: o.llmCache,
    dataDir: o.dataDir,
    env,
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
