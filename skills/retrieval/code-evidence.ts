/**
 * What a skill's code says about it, as words for full-text retrieval: the game items and block
 * names it passes as strings ("oak_log"), and the functions and methods it calls (mineBlock,
 * craftItem, bot.equip). The description may say "wood"; the code says which items it really
 * touches. A regular-expression scan, not a parse: code entering the library was parsed already, and
 * this runs for every skill the text index holds.
 *
 * @example
 * codeEvidence('async function f(bot) { await mineBlock(bot, "oak_log", 3); }');  // 'mine block oak log'
 */
import { words } from './tokens.js';

// Calls every skill makes, which tell skills apart by nothing.
const NOISE = new Set(
  ('function async await return const let var new if for while switch catch throw typeof bot robot console log error warn ' +
    'math floor ceil round min max abs random push pop shift slice map filter find some every includes length json stringify parse ' +
    'promise resolve reject then set get has keys values entries object array string number boolean date now error chat ' +
    'to from of in true false null undefined count done i n k x y z ok result')
    .split(' '),
);

/** Words of the string literals and called names in `code` (each distinct word once), as one text. */
export function codeEvidence(code: string, options: { splitIdentifiers?: boolean } = {}): string {
  const found = new Set<string>();
  const take = (text: string) => {
    for (const w of words(text, options)) if (!NOISE.has(w) && !/^\d+$/.test(w) && w.length > 1) found.add(w);
  };
  for (const m of code.matchAll(/(["'`])([A-Za-z][A-Za-z0-9_ ]{1,40})\1/g)) take(m[2]!);
  for (const m of code.matchAll(/([A-Za-z_$][A-Za-z0-9_$]*)\s*\(/g)) take(m[1]!);
  return [...found].join(' ');
}
