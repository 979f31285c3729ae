/**
 * Words of a text for full-text retrieval: identifiers split into words (mineWoodLog -> mine wood
 * log, oak_log -> oak log), lowercased, English stop words dropped. Stemming is separate (stem.ts)
 * because synonym lookups need the word, not its stem.
 *
 * @example
 * words('mineWoodLog: chop 3 oak_logs');                              // ['mine', 'wood', 'log', 'chop', '3', 'oak', 'logs']
 * words('mineWoodLog: chop oak_logs', { splitIdentifiers: false });   // ['minewoodlog', 'chop', 'oak_logs']
 */

export interface WordOptions {
  /** Split camelCase, snake_case and letter/digit boundaries (default true). Off only for ablations. */
  splitIdentifiers?: boolean;
}

// Function words, plus words every skill description uses and that tell skills apart by nothing.
const STOPWORDS = new Set(
  ('a an the and or of to in on at by for from with into onto as is are be been being it its this that these those then than so if ' +
    'when while up out use using do does did done i me my we our you your he she they them their there here some any all each ' +
    'can could should would will shall may might must have has had get got make sure until about over under again also just ' +
    'what which who whom how why where not no nor very too more most much many one other such own same only both few after before')
    .split(' '),
);

export function isStopword(w: string): boolean {
  return STOPWORDS.has(w);
}

/** Lowercased words of `text`, stop words dropped, in order. */
export function words(text: string, options: WordOptions = {}): string[] {
  const split = options.splitIdentifiers ?? true;
  const spaced = split
    ? text
        .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
        .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
        .replace(/([A-Za-z])([0-9])/g, '$1 $2')
        .replace(/([0-9])([A-Za-z])/g, '$1 $2')
        .toLowerCase()
        .split(/[^a-z0-9]+/)
    : text.toLowerCase().split(/[^a-z0-9_]+/);
  const out: string[] = [];
  for (const w of spaced) if (w && !STOPWORDS.has(w)) out.push(w);
  return out;
}
