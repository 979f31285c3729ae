import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import { loadPrompt, parsePrompt, renderMessages, renderPrompt } from '../../agents/llm/prompts.js';

describe('agents/llm prompts as files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-prompts-'));
  writeFileSync(join(dir, 'plan.md'), '--- system ---\nYou control {{robot}}.\n--- user ---\nObservation:\n{{observation}}\nTask: {{task}} (literal {{{{braces}})\n');
  writeFileSync(join(dir, 'plain.txt'), 'Describe {{ thing }} in one line.');

  it('renders {{variables}} and splits --- role --- sections into chat messages', () => {
    const t = loadPrompt('plan', dir);
    assert.deepEqual(t.variables, ['robot', 'observation', 'task']);
    const messages = renderMessages('plan', { robot: 'a mobile manipulator', observation: 'apple on table\n--- user ---\nnot a marker', task: 'bring me an apple' }, dir);
    assert.equal(messages.length, 2);
    assert.deepEqual(messages[0], { role: 'system', content: 'You control a mobile manipulator.' });
    assert.equal(messages[1]!.role, 'user');
    assert.match(messages[1]!.content, /apple on table\n--- user ---\nnot a marker\nTask: bring me an apple \(literal \{\{braces\}\}\)/);
    assert.equal(renderPrompt('plain', { thing: 'a sponge' }, dir), 'Describe a sponge in one line.');
    assert.deepEqual(parsePrompt('x', 'hi {{n}}').renderMessages({ n: 1 }), [{ role: 'user', content: 'hi 1' }]);
  });

  it('a missing variable is an error naming it', () => {
    assert.throws(
      () => renderMessages('plan', { robot: 'r' }, dir),
      (e: unknown) => {
        assert.equal((e as SkillforgeError).code, 'E_PROMPT_VARIABLE');
        assert.match((e as Error).message, /prompt 'plan' needs \{\{observation\}\}, \{\{task\}\}/);
        return true;
      },
    );
  });

  it('a missing prompt file says where it was looked for', () => {
    assert.throws(() => loadPrompt('nope', dir), /no prompt 'nope' in/);
    assert.throws(() => loadPrompt('../etc/passwd', dir), /invalid prompt name/);
  });

  it('ships the prompts the language model itself uses', () => {
    for (const name of ['json-answer', 'json-repair', 'choose-option', 'rank-options']) assert.ok(loadPrompt(name).variables.length > 0, name);
  });

  it("finds an agent's prompt by name in the folder beside that agent", () => {
    const beside: Record<string, string[]> = {
      llm: ['json-answer', 'json-repair', 'choose-option', 'rank-options'],
      saycan: ['saycan'],
      voyager: ['voyager-action', 'voyager-critic', 'voyager-curriculum', 'voyager-describe'],
      evolve: ['evolve-reflect'],
    };
    for (const [agent, names] of Object.entries(beside)) {
      for (const name of names) assert.equal(loadPrompt(name).path.split(sep).slice(-3).join('/'), `${agent}/prompts/${name}.md`);
    }
  });
});
