/**
 * Static checks of skill code with acorn, before it enters a library: it parses, and it defines the
 * named top-level `async function`. Also finds which known skills the code calls (dependencies).
 * Nothing here runs the code; that happens only in skills/runtime.
 */
import { parse, type Node, type Program, type FunctionDeclaration } from 'acorn';
import { simple as walkSimple } from 'acorn-walk';
import { ValidationError } from '../core/validate.js';

export interface ParsedSkillCode {
  /** Parameter names of the skill's function, as written (`bot`, `{ count }` -> '{...}'). */
  params: string[];
  /** Identifiers called as plain functions anywhere in the code (`mineBlock(bot, ...)`). */
  calls: Set<string>;
}

const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await async arguments eval')
    .split(' '),
);

/** Throws ValidationError naming `/name` when a name could not be a function name. */
export function checkSkillName(name: string, what = 'skill'): void {
  if (RESERVED.has(name)) {
    throw new ValidationError(what, [`/name '${name}' is a reserved word and cannot name a function`], 'choose another name, e.g. do' + name[0]!.toUpperCase() + name.slice(1));
  }
}

/** Parse a script with the settings skills are checked with; a syntax error becomes a ValidationError naming the line. */
export function parseProgram(code: string, what = 'skill'): Program {
  try {
    // No `locations`: line objects on every node cost a fifth of the parse; the few messages that
    // name a line compute it from the node's offset (lineAt).
    return parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: false });
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number; column: number } };
    const where = e.loc ? ` at line ${e.loc.line}, column ${e.loc.column + 1}` : '';
    const reason = e.message.replace(/\s*\(\d+:\d+\)$/, '');
    throw new ValidationError(what, [`/code does not parse${where}: ${reason}`], 'skill code must be valid JavaScript defining one async function');
  }
}

/**
 * Parse skill code and check that it defines `async function <name>(...)` at top level. Other
 * top-level statements may only be helper function declarations: code with load-time side effects
 * is refused.
 */
export function parseSkillCode(code: string, name: string, what = 'skill'): ParsedSkillCode {
  checkSkillName(name, what);
  const program = parseProgram(code, what);
  let main: FunctionDeclaration | undefined;
  for (const stmt of program.body) {
    if (stmt.type === 'FunctionDeclaration') {
      if (stmt.id?.name === name) {
        if (main) throw new ValidationError(what, [`/code defines function ${name} twice (line ${lineAt(code, stmt.start)})`]);
        main = stmt;
      }
      continue;
    }
    if (stmt.type === 'EmptyStatement') continue;
    if (stmt.type === 'ExpressionStatement' && (stmt as { directive?: string }).directive) continue;
    throw new ValidationError(
      what,
      [`/code has a top-level ${stmt.type} at line ${lineAt(code, stmt.start)}; only function declarations are allowed`],
      `put the work inside async function ${name}(...) { ... }`,
    );
  }
  if (!main) {
    throw new ValidationError(what, [`/code does not define a top-level function named ${name}`], `define it as: async function ${name}(bot, ...) { ... }`);
  }
  if (!main.async) {
    throw new ValidationError(what, [`/code function ${name} at line ${lineAt(code, main.start)} is not async`], `declare it as: async function ${name}(...)`);
  }
  if (main.generator) {
    throw new ValidationError(what, [`/code function ${name} is a generator; skills are plain async functions`]);
  }
  const params = main.params.map((p) => (p.type === 'Identifier' ? p.name : p.type === 'AssignmentPattern' && p.left.type === 'Identifier' ? p.left.name : '{...}'));
  // Walking the tree for calls costs about as much as the parse: done only when someone asks (adding
  // a skill only checks its code).
  let calls: Set<string> | undefined;
  return {
    params,
    get calls() {
      return (calls ??= collectCalls(program));
    },
  };
}

/** 1-based line of a character offset. */
function lineAt(code: string, offset: number): number {
  let line = 1;
  for (let i = code.indexOf('\n'); i >= 0 && i < offset; i = code.indexOf('\n', i + 1)) line++;
  return line;
}

function collectCalls(program: Node): Set<string> {
  const calls = new Set<string>();
  walkSimple(program, {
    CallExpression(node) {
      const callee = (node as unknown as { callee: Node & { name?: string } }).callee;
      if (callee.type === 'Identifier' && callee.name) calls.add(callee.name);
    },
  });
  return calls;
}

/**
 * Names of other known skills that `code` calls, sorted. `known` is any set of skill names (the
 * library's, plus those imported together); the skill itself is never its own dependency.
 */
export function detectDependencies(code: string, name: string, known: ReadonlySet<string>): string[] {
  const { calls } = parseSkillCode(code, name);
  return [...calls].filter((c) => c !== name && known.has(c)).sort();
}
