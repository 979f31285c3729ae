/**
 * Prompts live as files beside the agent that uses them, agents/<agent>/prompts/<name>.md (or .txt),
 * with {{variable}} slots: the language model's own in agents/llm/prompts, SayCan's in
 * agents/saycan/prompts, the learner's in agents/voyager/prompts, and so on. A name without a folder
 * is looked up in all of them (names are unique across agents; a clash is an error).
 * A template may split into chat messages with marker lines `--- system ---`, `--- user ---`,
 * `--- assistant ---`; text before the first marker (or a file without markers) is one user message.
 * A slot left without a value is an error naming it; `{{{{` renders a literal `{{`.
 *
 * @example
 *   // agents/robot/prompts/greet.md:  "--- system ---\nYou are {{role}}.\n--- user ---\nSay hi to {{name}}."
 *   const messages = renderMessages('greet', { role: 'a robot', name: 'Ada' });
 *   const text = renderPrompt('greet', { role: 'a robot', name: 'Ada' }); // whole file, markers kept out
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SkillforgeError } from '../../core/errors.js';
import type { ChatMessage } from './model.js';

/** The language model's own prompts (structured answers, option scoring). */
export const promptsDir = join(dirname(fileURLToPath(import.meta.url)), 'prompts');

let shipped: string[] | undefined;

/** Every agents/<agent>/prompts folder shipped with skillforge, the language model's first. */
export function promptDirs(): string[] {
  if (shipped) return shipped;
  const agents = dirname(dirname(promptsDir));
  const others = readdirSync(agents)
    .sort()
    .map((agent) => join(agents, agent, 'prompts'))
    .filter((dir) => dir !== promptsDir && existsSync(dir) && statSync(dir).isDirectory());
  shipped = [promptsDir, ...others];
  return shipped;
}

export type PromptVariables = Record<string, string | number | boolean>;

export interface PromptTemplate {
  name: string;
  path: string;
  text: string;
  /** Slot names in order of first appearance. */
  variables: string[];
  render(vars?: PromptVariables): string;
  renderMessages(vars?: PromptVariables): ChatMessage[];
}

const slot = /\{\{\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;
const marker = /^---[ \t]*(system|user|assistant)[ \t]*---[ \t]*$/;
const cache = new Map<string, PromptTemplate>();

/** Load (once) a template by name from `dir` (default: the shipped agents' prompt folders). */
export function loadPrompt(name: string, dir?: string): PromptTemplate {
  if (!/^[A-Za-z0-9_-][A-Za-z0-9_.\/-]*$/.test(name) || name.includes('..')) {
    throw new SkillforgeError('E_PROMPT', `invalid prompt name '${name}'`, { hint: 'use the file name without extension, e.g. "rank-options"' });
  }
  const key = `${dir ?? ''}\0${name}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const dirs = dir === undefined ? promptDirs() : [dir];
  const found = dirs.flatMap((d) => ['.md', '.txt', ''].map((ext) => join(d, name + ext)).find((p) => existsSync(p) && statSync(p).isFile()) ?? []);
  if (found.length > 1) {
    throw new SkillforgeError('E_PROMPT', `prompt '${name}' exists twice: ${found.join(' and ')}`, { hint: 'rename one: prompt names are unique across agents' });
  }
  const path = found[0];
  if (!path) {
    const where = dirs.length === 1 ? dirs[0]! : `any of ${dirs.join(', ')}`;
    throw new SkillforgeError('E_PROMPT', `no prompt '${name}' in ${where}`, { hint: `create ${join(dir ?? promptsDir, `${name}.md`)}` });
  }
  const template = parsePrompt(name, readFileSync(path, 'utf8'), path);
  cache.set(key, template);
  return template;
}

/** Build a template from text (useful for prompts that come from a config file). */
export function parsePrompt(name: string, text: string, path = '<inline>'): PromptTemplate {
  const variables: string[] = [];
  for (const m of text.matchAll(slot)) if (m[1] && !variables.includes(m[1])) variables.push(m[1]);
  // Split before filling, so a value that happens to contain a marker line stays inside its message.
  const parts = splitMessages(name, text);
  const body = stripMarkers(text);
  return {
    name,
    path,
    text,
    variables,
    render: (vars = {}) => fill(name, body, variables, vars),
    renderMessages: (vars = {}) => {
      fill(name, '', variables, vars);
      return parts.map((m) => ({ role: m.role, content: fill(name, m.content, [], vars) }));
    },
  };
}

/** Render a named prompt to one string. */
export function renderPrompt(name: string, vars?: PromptVariables, dir?: string): string {
  return loadPrompt(name, dir).render(vars);
}

/** Render a named prompt to chat messages. */
export function renderMessages(name: string, vars?: PromptVariables, dir?: string): ChatMessage[] {
  return loadPrompt(name, dir).renderMessages(vars);
}

function fill(name: string, text: string, variables: string[], vars: PromptVariables): string {
  const missing = variables.filter((v) => vars[v] === undefined || vars[v] === null);
  if (missing.length) {
    throw new SkillforgeError('E_PROMPT_VARIABLE', `prompt '${name}' needs ${missing.map((m) => `{{${m}}}`).join(', ')}`, {
      hint: `pass ${missing.join(', ')} when rendering it`,
    });
  }
  return text.replace(slot, (whole, v: string | undefined) => (v ? String(vars[v]) : '{{'));
}

function splitMessages(name: string, text: string): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let role: ChatMessage['role'] = 'user';
  let lines: string[] = [];
  const flush = () => {
    const content = lines.join('\n').trim();
    if (content) messages.push({ role, content });
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const m = marker.exec(line);
    if (m) {
      flush();
      role = m[1] as ChatMessage['role'];
    } else lines.push(line);
  }
  flush();
  if (messages.length === 0) throw new SkillforgeError('E_PROMPT', `prompt '${name}' rendered to no message`);
  return messages;
}

function stripMarkers(text: string): string {
  return text
    .split(/\r?\n/)
    .filter((l) => !marker.test(l))
    .join('\n')
    .trim();
}
