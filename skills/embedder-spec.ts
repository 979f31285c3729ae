/**
 * Choose an embedder from one string, for command lines and config files:
 *   hashed | hashed:<dim>                 the default: no weights, no network
 *   openai:<model>[@<baseURL>]            OpenAI or an OpenAI-compatible server
 *   ollama:<model>[@<baseURL>]            Ollama (default http://127.0.0.1:11434)
 *   onnx:<folder>                         a local ONNX sentence model (see onnx-embedder.ts)
 * Providers are imported only when chosen. `env` holds the variables a provider needs
 * (OPENAI_API_KEY); only bin/ reads the process environment and passes it.
 */
import { SkillforgeError } from '../core/errors.js';
import type { Embedder } from './embedder.js';
import { HashedEmbedder } from './hashed-embedder.js';

export const EMBEDDER_SPEC_HELP = 'hashed | hashed:<dim> | openai:<model>[@<baseURL>] | ollama:<model>[@<baseURL>] | onnx:<folder>';

export async function embedderFromSpec(spec: string | undefined, env: Record<string, string | undefined> = {}): Promise<Embedder> {
  if (!spec || spec === 'hashed') return new HashedEmbedder();
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  const at = rest.indexOf('@');
  const model = at < 0 ? rest : rest.slice(0, at);
  const url = at < 0 ? undefined : rest.slice(at + 1);
  switch (kind) {
    case 'hashed': {
      const dim = Number(rest);
      if (!Number.isInteger(dim)) break;
      return new HashedEmbedder({ dim });
    }
    case 'openai':
      if (!model) break;
      return (await import('./langchain-embedder.js')).openAIEmbedder({ model, baseURL: url, apiKey: env.OPENAI_API_KEY });
    case 'ollama':
      if (!model) break;
      return (await import('./langchain-embedder.js')).ollamaEmbedder({ model, baseUrl: url });
    case 'onnx':
      if (!rest) break;
      return (await import('./onnx-embedder.js')).OnnxEmbedder.load(rest);
  }
  throw new SkillforgeError('E_ARG', `cannot read embedder spec '${spec}'`, { hint: `use ${EMBEDDER_SPEC_HELP}` });
}
