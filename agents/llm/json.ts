/**
 * Pull one JSON value out of a model's answer. Models wrap JSON in code fences, put a sentence
 * before it, or add commentary after it; all of that is tolerated. Anything else is an error that
 * names what was wrong, so the message can be fed back to the model.
 */

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Find and parse the JSON value in `text`.
 * @example extractJson('Sure!\n```json\n{"a": 1}\n```') // { ok: true, value: { a: 1 } }
 */
export function extractJson(text: string): JsonExtraction {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, error: 'the answer was empty; expected a JSON value' };
  const direct = tryParse(trimmed);
  if (direct.ok) return direct;
  // Fenced blocks first: when a model fences its answer, the fence is the answer.
  const fence = /```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g;
  let firstFenceError: string | undefined;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const inner = m[1]!.trim();
    if (!inner) continue;
    const parsed = tryParse(inner);
    if (parsed.ok) return parsed;
    firstFenceError ??= parsed.error;
  }
  // Then the first balanced object or array in the prose.
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    const end = balancedEnd(text, i);
    if (end < 0) continue;
    const parsed = tryParse(text.slice(i, end + 1));
    if (parsed.ok) return parsed;
  }
  if (firstFenceError) return { ok: false, error: `the code block is not valid JSON: ${firstFenceError}` };
  if (/[{[]/.test(text)) return { ok: false, error: `the answer contains no complete, valid JSON value: ${direct.error}` };
  return { ok: false, error: 'the answer contains no JSON value' };
}

function tryParse(s: string): JsonExtraction {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when unbalanced. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
