/**
 * The settings file (bin/config.ts) as a user meets it: a profile fills the options no flag gave,
 * flags and environment variables win over it, mistakes are refused with file:line before anything
 * runs (exit 2), and `skillforge config` says where every value comes from.
 *
 * @example
 *   const { seen } = await probe(['--config', file, 'probe']);   // seen.maxSteps === '7' (from the profile)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram } from '../../bin/cli.js';
import { addLlmOptions } from '../../bin/llm-options.js';
import { exitCodeFor } from '../../bin/signals.js';
import { SkillforgeError } from '../../core/errors.js';
import { runCli } from '../support/cli.js';
import { FakeLlmServer } from '../support/openai-server.js';

const dir = mkdtempSync(join(tmpdir(), 'sf-config-'));
let files = 0;
function settings(yaml: string): string {
  const file = join(dir, `config-${files++}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** The real program plus a `probe` command that reports the options it ran with and their sources. */
async function probe(args: string[]): Promise<{ seen: Record<string, unknown>; source: (key: string) => string | undefined }> {
  const program = await buildProgram();
  program.exitOverride();
  let seen: Record<string, unknown> = {};
  let cmd: Command | undefined;
  addLlmOptions(program.command('probe'))
    .option('--max-steps <n>', 'steps', '20')
    .option('--env <kind>', 'environment', 'kitchen')
    .option('--no-memory', 'no episodic memory')
    .action((_flags: unknown, command: Command) => {
      seen = command.optsWithGlobals();
      cmd = command;
    });
  await program.parseAsync(args, { from: 'user' });
  return { seen, source: (key) => cmd!.getOptionValueSourceWithGlobals(key) };
}

const configError = (message: RegExp) => (err: unknown) => {
  // By code: the settings module is imported lazily, and the test runner may hold a second copy of the class.
  assert.equal((err as SkillforgeError).code, 'E_CONFIG', String(err));
  assert.match((err as Error).message, message);
  assert.equal(exitCodeFor(err), 2);
  return true;
};

const PROFILES = `default: andy
profiles:
  andy:
    model:
      llm: ollama:llama3.1
      max-outage: 900
      cache: false
    env: robot
    data-dir: ${join(dir, 'andy-data')}
    limits:
      max-steps: 7
      iterations: 50
  bob:
    model: openai:gpt-4o-mini
    limits:
      max-steps: 3
`;

describe('settings file: agent profiles (skillforge.config.yaml)', () => {
  const saved: Record<string, string | undefined> = {};
  const vars = ['SKILLFORGE_LLM', 'SKILLFORGE_LIBRARY', 'SKILLFORGE_DATA_DIR'];
  before(() => {
    for (const v of vars) {
      saved[v] = process.env[v];
      delete process.env[v];
    }
  });
  afterEach(() => {
    for (const v of vars) delete process.env[v];
  });
  after(() => {
    for (const v of vars) if (saved[v] !== undefined) process.env[v] = saved[v];
  });

  it("fills every option no flag gave from the default profile: model, environment, data dir, limits", async () => {
    const { seen, source } = await probe(['--config', settings(PROFILES), 'probe']);
    assert.equal(seen.llm, 'ollama:llama3.1');
    assert.equal(seen.llmMaxOutage, '900', 'as the flag would give it: a string the command parses');
    assert.equal(seen.llmCache, false, 'model.cache: false is --no-llm-cache');
    assert.equal(seen.env, 'robot');
    assert.equal(seen.dataDir, join(dir, 'andy-data'));
    assert.equal(seen.maxSteps, '7');
    assert.equal(seen.memory, true, 'an option the profile does not name keeps its default');
    assert.equal(source('maxSteps'), 'config');
    assert.equal(source('memory'), 'default');
  });

  it('a flag on the command line wins over the profile, the global --data-dir too', async () => {
    const { seen, source } = await probe(['--config', settings(PROFILES), '--data-dir', join(dir, 'mine'), 'probe', '--max-steps', '12', '--llm', 'anthropic:claude']);
    assert.equal(seen.maxSteps, '12');
    assert.equal(seen.llm, 'anthropic:claude');
    assert.equal(seen.dataDir, join(dir, 'mine'));
    assert.equal(source('maxSteps'), 'cli');
    assert.equal(seen.env, 'robot', 'the rest still comes from the profile');
  });

  it('an environment variable wins over the profile (SKILLFORGE_DATA_DIR, SKILLFORGE_LLM)', async () => {
    process.env.SKILLFORGE_DATA_DIR = join(dir, 'from-env');
    process.env.SKILLFORGE_LLM = 'ollama:from-env';
    const { seen } = await probe(['--config', settings(PROFILES), 'probe']);
    assert.equal(seen.dataDir, join(dir, 'from-env'));
    assert.equal(seen.llm, undefined, 'left to the command, which reads SKILLFORGE_LLM');
    assert.equal(seen.maxSteps, '7');
  });

  it('--config-profile picks another profile; a model given as a string is its --llm', async () => {
    const { seen } = await probe(['--config', settings(PROFILES), '--config-profile', 'bob', 'probe']);
    assert.equal(seen.llm, 'openai:gpt-4o-mini');
    assert.equal(seen.maxSteps, '3');
    assert.equal(seen.env, 'kitchen', "bob names no environment: the command's default");
  });

  it('without default: and --config-profile no profile applies; --no-config ignores the file', async () => {
    const file = settings(PROFILES.replace('default: andy\n', ''));
    assert.equal((await probe(['--config', file, 'probe'])).seen.maxSteps, '20');
    assert.equal((await probe(['--no-config', 'probe'])).seen.maxSteps, '20');
    await assert.rejects(probe(['--config', file, '--config-profile', 'carol', 'probe']), configError(/no profile 'carol'/));
    await assert.rejects(probe(['--config', join(dir, 'missing.yaml'), 'probe']), configError(/cannot read the settings file .*missing\.yaml/));
  });

  it('an unknown key is refused before anything runs, naming file:line and the keys allowed', async () => {
    const file = settings('default: a\nprofiles:\n  a:\n    limits:\n      max-step: 5\n');
    await assert.rejects(probe(['--config', file, 'probe']), configError(/config-\d+\.yaml:5: profiles\.a\.limits has unknown key 'max-step' \(allowed: max-steps, max-rounds, iterations/));
    const top = settings('default: a\nprofiles:\n  a:\n    modle: openai:gpt-4o\n');
    await assert.rejects(probe(['--config', top, 'probe']), configError(/:4: profiles\.a has unknown key 'modle' \(allowed: description, model, env, library, data-dir, limits, commands\)/));
  });

  it('a bad value or bad YAML is refused with its line', async () => {
    const value = settings('default: a\nprofiles:\n  a:\n    limits:\n      max-steps: many\n');
    await assert.rejects(probe(['--config', value, 'probe']), configError(/:5: profiles\.a\.limits\.max-steps must be integer/));
    const yaml = settings('default: a\nprofiles:\n  a:\n    env: [kitchen\n');
    await assert.rejects(probe(['--config', yaml, 'probe']), configError(/config-\d+\.yaml:\d+:\d+: not valid YAML/));
    const settingsBad = settings('default: a\nprofiles:\n  a:\n    model:\n      settings:\n        temperature: 9\n');
    await assert.rejects(probe(['--config', settingsBad, 'probe']), configError(/:6: profiles\.a\.model\.settings\.temperature must be <= 2/));
  });

  it('top-level keys serve many commands: one the running command lacks is ignored', async () => {
    // iterations is the learner's; the probe, like saycan, has no --iterations.
    const { seen } = await probe(['--config', settings(PROFILES), 'probe']);
    assert.equal(seen.iterations, undefined);
  });

  it('commands: sets any flag of one command; a flag that command lacks is an error naming key, command and its flags', async () => {
    const good = settings('default: a\nprofiles:\n  a:\n    limits: { max-steps: 7 }\n    commands:\n      probe: { max-steps: 9, no-memory: true }\n');
    const { seen, source } = await probe(['--config', good, 'probe']);
    assert.equal(seen.maxSteps, '9', "the command's own section wins over limits:");
    assert.equal(seen.memory, false);
    assert.equal(source('memory'), 'config');
    const bad = settings('default: a\nprofiles:\n  a:\n    commands:\n      probe:\n        iterations: 3\n');
    await assert.rejects(probe(['--config', bad, 'probe']), (err: unknown) => {
      configError(/:6: profiles\.a\.commands\.probe: `skillforge probe` has no --iterations/)(err);
      assert.match((err as SkillforgeError).hint ?? '', /its flags: llm, llm-base-url, .*max-steps, env, no-memory/);
      return true;
    });
    const noCommand = settings('default: a\nprofiles:\n  a:\n    commands:\n      sayscan: { top: 3 }\n');
    await assert.rejects(probe(['--config', noCommand, 'probe']), configError(/:5: profiles\.a\.commands: no command 'sayscan'/));
    const notSwitch = settings('default: a\nprofiles:\n  a:\n    commands:\n      probe: { no-memory: 1 }\n');
    await assert.rejects(probe(['--config', notSwitch, 'probe']), configError(/--no-memory is a switch: write true or false, got 1/));
  });

  it("model.settings reach the language model (here the temperature of a real `llm ask`)", async () => {
    const server = await FakeLlmServer.start({ replies: ['four'] });
    try {
      const file = settings(`default: a\nprofiles:\n  a:\n    model:\n      llm: openai-compatible:m@${server.openaiBaseUrl}\n      cache: false\n      settings: { temperature: 0.3 }\n`);
      const { out } = await runCli(['--config', file, 'llm', 'ask', 'two plus two?']);
      assert.match(out, /^four/);
      assert.equal((server.requests.find((r) => r.path.endsWith('/chat/completions'))!.body as { temperature?: number }).temperature, 0.3);
    } finally {
      await server.close();
    }
  });

  it('`skillforge config` prints each setting with where it comes from: flag, env, profile file:line, default', async () => {
    process.env.SKILLFORGE_LIBRARY = join(dir, 'lib-from-env');
    const file = settings(PROFILES);
    const { out } = await runCli(['--config', file, 'config']);
    assert.match(out, /^settings file: .*config-\d+\.yaml \(--config\)$/m);
    assert.match(out, /^profile: andy \(the file's default:\)$/m);
    assert.match(out, /^--data-dir +\S+andy-data +profile andy \(.*config-\d+\.yaml:9\)$/m);
    assert.match(out, /^--llm +ollama:llama3\.1 +profile andy \(.*:5\)$/m);
    assert.match(out, /^--library +\S+lib-from-env +env SKILLFORGE_LIBRARY$/m);
    assert.match(out, /^--max-steps +7 +profile andy \(.*:11\)$/m);

    const flagged = await runCli(['--config', file, '--data-dir', '/srv/x', 'config', '--profile', 'bob', '--json']);
    const report = JSON.parse(flagged.out) as { profile: string; chosenBy: string; settings: Array<{ setting: string; value: unknown; from: string }> };
    assert.equal(report.profile, 'bob');
    assert.equal(report.chosenBy, 'flag');
    assert.deepEqual(report.settings.find((s) => s.setting === '--data-dir'), { setting: '--data-dir', value: '/srv/x', from: 'flag' });
    assert.deepEqual(report.settings.find((s) => s.setting === '--max-steps')?.value, 3);

    const forSaycan = JSON.parse((await runCli(['--config', file, 'config', '--for', 'saycan', '--json'])).out) as typeof report;
    const row = (flag: string) => forSaycan.settings.find((s) => s.setting === flag);
    assert.equal(row('--max-steps')?.value, '7');
    assert.match(row('--max-steps')!.from, /^profile andy/);
    assert.equal(row('--no-llm-cache')?.value, true);
    assert.equal(row('--json')?.from, 'unset');
  });

  it('a bad settings file stops any command with exit code 2 and the file:line on stderr', () => {
    const file = settings('default: a\nprofiles:\n  a:\n    limits: { max-step: 5 }\n');
    const cli = fileURLToPath(new URL('../../bin/skillforge.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--no-node-snapshot', cli, '--config', file, 'skills', 'list'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /skillforge: invalid settings file: .*config-\d+\.yaml:4: profiles\.a\.limits has unknown key 'max-step'/);
    assert.match(r.stderr, /hint: see skillforge\.config\.example\.yaml/);
  });

  it('when a value from the profile is refused by the command, the error says it came from the profile', () => {
    const file = settings('default: a\nprofiles:\n  a:\n    commands:\n      skills search: { k: 0 }\n');
    const cli = fileURLToPath(new URL('../../bin/skillforge.js', import.meta.url));
    const r = spawnSync(process.execPath, ['--no-node-snapshot', cli, '--config', file, '--data-dir', join(dir, 'k-data'), 'skills', 'search', 'apple'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /skillforge: -k must be a positive integer, got 0\n  note: from profile a \(.*config-\d+\.yaml:3\): --k 0\n/);
  });
});
