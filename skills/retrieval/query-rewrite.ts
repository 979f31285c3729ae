/**
 * Query rewriting by a language model, when one is configured: the model is asked for a few other
 * phrasings of a request in the words skill descriptions tend to use ("do the lumberjack thing" ->
 * "chop down trees and collect wood logs"), and the search uses them beside the user's own words:
 * their terms at a lower weight in the full-text ranker, their vectors averaged with the query's.
 * A model that fails or answers nothing usable leaves the search as it would have been (the failure
 * is reported to the caller, never thrown).
 *
 * @example
 * ```ts
 * const hits = await library.search('do the lumberjack thing', 5, { rewrite: languageModel });
 * const alternatives = await rewriteQuery(languageModel, 'do the lumberjack thing');  // ['chop down trees ...', ...]
 * ```
 */

/** What rewriting needs of a language model (agents/llm's LanguageModel has it). */
export interface QueryRewriter {
  chat(messages: { role: 'system' | 'user' | 'assistant'; content: string }[]): Promise<string>;
}

/** At most this many alternatives are used, each at most MAX_CHARS long. */
export const MAX_REWRITES = 3;
const MAX_CHARS = 200;

const SYSTEM =
  'You help search a library of robot and game-agent skills. Each skill has a camelCase name and a ' +
  'one-sentence description of what it does. Rewrite the request below as up to three short ' +
  'alternative phrasings that use the plain words such a description would use (the actions, the ' +
  'objects, the tools). One phrasing per line, no numbering, nothing else.';

/**
 * Other phrasings of `query` from `model` (up to MAX_REWRITES, deduplicated, not the query itself).
 * Throws what the model threw; an answer with no usable line gives [].
 */
export async function rewriteQuery(model: QueryRewriter, query: string): Promise<string[]> {
  const answer = await model.chat([
    { role: 'system', content: SYSTEM },
    { role: 'user', content: query },
  ]);
  const seen = new Set([query.trim().toLowerCase()]);
  const out: string[] = [];
  for (const raw of String(answer).split(/\r?\n/)) {
    // Models number or bullet lines despite being told not to.
    const line = raw.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').replace(/^["']|["']$/g, '').trim();
    if (!line || line.length > MAX_CHARS || seen.has(line.toLowerCase())) continue;
    seen.add(line.toLowerCase());
    out.push(line);
    if (out.length === MAX_REWRITES) break;
  }
  return out;
}
