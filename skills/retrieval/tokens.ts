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
  // ASCII text (skill names, descriptions, code: nearly all of it) is split by one scan; the regular
  // expressions below, which define the result, cost several times more and run for every skill the
  // text index holds. Other text takes them (toLowerCase may map a non-ASCII letter to ASCII).
  if (split && isAscii(text)) return scanWords(text);
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

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

// Character classes of ASCII codes: 1 lower, 2 upper, 3 digit, 0 anything else (a separator).
const KIND = new Uint8Array(128);
for (let c = 97; c <= 122; c++) KIND[c] = 1;
for (let c = 65; c <= 90; c++) KIND[c] = 2;
for (let c = 48; c <= 57; c++) KIND[c] = 3;

/**
 * The split-identifier words of ASCII text in one pass, equal to the regular expressions in words():
 * a word ends before an upper-case letter that follows a lower-case letter or digit, before the last
 * capital of a run followed by a lower-case letter (HTMLParser -> html parser), and between letters
 * and digits.
 */
function scanWords(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  const n = text.length;
  const flush = (end: number) => {
    if (start >= 0) {
      const w = text.slice(start, end).toLowerCase();
      if (!STOPWORDS.has(w)) out.push(w);
    }
    start = -1;
  };
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const k = KIND[text.charCodeAt(i)]!;
    if (k === 0) {
      flush(i);
    } else if (start < 0) {
      start = i;
    } else if (
      (k === 2 && (prev === 1 || prev === 3)) ||
      (k === 2 && prev === 2 && i + 1 < n && KIND[text.charCodeAt(i + 1)] === 1) ||
      (k === 3 && prev !== 3) ||
      (k !== 3 && prev === 3)
    ) {
      flush(i);
      start = i;
    }
    prev = k;
  }
  flush(n);
  return out;
}
