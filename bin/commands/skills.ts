/**
 * `skillforge skills ...`: inspect and manage the skill library at <data-dir>/library.
 * Readable output by default, `--json` for scripts. Heavy modules load inside the actions.
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import type { SearchMode, SkillLibrary } from '../../skills/library.js';
import { dataPaths } from '../paths.js';
import { addLlmOptions } from '../llm-options.js';
import type { Skill } from '../../skills/skill.js';

interface Common {
  json?: boolean;
}

function libraryDir(cmd: Command): string {
  const opts = cmd.optsWithGlobals() as { dataDir?: string };
  return dataPaths(opts.dataDir ?? '.skillforge').library;
}

async function withLibrary<T>(cmd: Command, fn: (lib: SkillLibrary) => Promise<T>): Promise<T> {
  const { SkillLibrary } = await import('../../skills/library.js');
  const { embedderFromSpec } = await import('../../skills/embedder-spec.js');
  const spec = (cmd.optsWithGlobals() as { embedder?: string }).embedder ?? process.env.SKILLFORGE_EMBEDDER;
  const embedder = await embedderFromSpec(spec, process.env);
  // --library postgres://... (or another library folder) instead of <data-dir>/library.
  const library = (cmd.optsWithGlobals() as { library?: string }).library ?? process.env.SKILLFORGE_LIBRARY;
  const lib = library
    ? await (await import('../../skills/open-library.js')).openLibrary({
        dataDir: (cmd.optsWithGlobals() as { dataDir?: string }).dataDir ?? '.skillforge',
        library,
        embedder,
        follow: false,
      })
    : await SkillLibrary.open(libraryDir(cmd), { embedder });
  try {
    return await fn(lib);
  } finally {
    await lib.close();
  }
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function json(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

function oneLine(s: string, max: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function successRate(s: Skill): string {
  return s.stats.attempts ? `${s.stats.successes}/${s.stats.attempts}` : '-';
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function intArg(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new SkillforgeError('E_ARG', `${what} must be a positive integer, got ${v}`);
  return n;
}

function statusArg(v: string | undefined): Skill['status'] | undefined {
  if (v === undefined) return undefined;
  if (!['candidate', 'verified', 'deprecated'].includes(v)) {
    throw new SkillforgeError('E_ARG', `unknown status ${v}`, { hint: 'one of candidate, verified, deprecated' });
  }
  return v as Skill['status'];
}

export function register(program: Command): void {
  const skills = program
    .command('skills')
    .description('list, search, add, import, export and try (run) skills in the library (<data-dir>/library)')
    .option(
      '--embedder <spec>',
      'hashed (default) | hashed:<dim> | openai:<model>[@<baseURL>] | ollama:<model>[@<baseURL>] | onnx:<folder>; env SKILLFORGE_EMBEDDER. Changing it re-indexes',
    )
    .option('--library <dir|url>', 'a library folder, or postgres://user@host/db for a fleet\'s shared library (docs/fleet.md); env SKILLFORGE_LIBRARY');

  skills
    .command('keygen <name>')
    .description('create an ed25519 key pair for signing bundles: <name>.key (private, 0600) and <name>.pub')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: Common) => {
      const { writeSigningKey } = await import('../../skills/signature.js');
      const r = writeSigningKey(name);
      if (o.json) return json(r);
      out(`wrote ${r.keyFile} (keep it secret) and ${r.pubFile} (give it to whoever imports your bundles); key id ${r.keyId}`);
    });

  skills
    .command('list')
    .description('list skills (latest version of each name)')
    .option('--env <kind>', 'only this environment kind')
    .option('--status <status>', 'only candidate | verified | deprecated')
    .option('--all-versions', 'every version, not only the latest')
    .option('--json', 'machine-readable output')
    .action(async (o: Common & { env?: string; status?: string; allVersions?: boolean }, cmd: Command) => {
      await withLibrary(cmd, async (lib) => {
        const list = await lib.list({ env: o.env, status: statusArg(o.status), allVersions: o.allVersions });
        if (o.json) return json(list);
        if (list.length === 0) return out('no skills (add some with: skillforge skills add|import)');
        out(table([
          ['NAME', 'V', 'ENV', 'STATUS', 'OK', 'DESCRIPTION'],
          ...list.map((s) => [s.name, String(s.version), s.env, s.status, successRate(s), oneLine(s.description, 60)]),
        ]));
        out(`${list.length} skill${list.length === 1 ? '' : 's'}`);
      });
    });

  skills
    .command('show <name>')
    .description('show one skill: description, code, provenance, stats')
    .option('--version <n>', 'a specific version (default: latest)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: Common & { version?: string }, cmd: Command) => {
      await withLibrary(cmd, async (lib) => {
        const s = await lib.get(name, o.version ? intArg(o.version, '--version') : undefined);
        if (!s) throw new SkillforgeError('E_NOT_FOUND', `no skill ${name}${o.version ? ` v${o.version}` : ''}`, { hint: 'list skills with: skillforge skills list' });
        if (o.json) return json(s);
        const versions = (await lib.versions(name)).map((v) => v.version);
        out(`${s.name} v${s.version} (${s.env}, ${s.status})   versions: ${versions.join(', ')}`);
        out(`  ${s.description}`);
        out(`  params: ${JSON.stringify(s.params)}`);
        if (s.dependencies.length) out(`  uses: ${s.dependencies.join(', ')}`);
        const p = s.provenance;
        out(`  by ${p.agent}${p.model ? ` (${p.model})` : ''} at ${p.createdAt}${p.parent ? `, from v${p.parent}` : ''}${p.source ? `, source ${p.source}` : ''}`);
        if (p.notes?.length) out(`  notes: ${p.notes.join('; ')}`);
        out(`  stats: ${s.stats.successes}/${s.stats.attempts} succeeded, mean ${s.stats.meanDurationMs.toFixed(0)} ms${s.stats.lastError ? `, last error: ${s.stats.lastError}` : ''}`);
        out(`  hash: ${s.hash}`);
        out('');
        out(s.code);
      });
    });

  addLlmOptions(skills
    .command('search <query...>')
    .description('find skills by meaning: full text with identifiers split, stems, WordNet synonyms and Minecraft item relations, fused with the embedder\'s vectors; with a language model configured, --rewrite also searches its rephrasings'))
    .option('-k, --k <n>', 'how many results', '5')
    .option('--rewrite', 'ask the configured language model (--llm) for other phrasings of the query and search them too')
    .option('--env <kind>', 'only this environment kind')
    .option('--status <status>', 'only this status (default: candidate and verified)')
    .option('--mode <mode>', 'hybrid (default), vector (embedder only) or text (full text only)', 'hybrid')
    .option('--json', 'machine-readable output')
    .action(async (words: string[], o: Common & { k: string; env?: string; status?: string; mode: string; rewrite?: boolean }, cmd: Command) => {
      if (!['hybrid', 'vector', 'text'].includes(o.mode)) throw new SkillforgeError('E_ARG', `unknown --mode ${o.mode}`, { hint: 'use hybrid, vector or text' });
      const { requireLanguageModel } = await import('../llm-options.js');
      const model = o.rewrite ? await requireLanguageModel(cmd, '--rewrite asks a language model for other phrasings of the query') : undefined;
      try {
        await withLibrary(cmd, async (lib) => {
          const hits = await lib.search(words.join(' '), intArg(o.k, '-k'), { env: o.env, status: statusArg(o.status), mode: o.mode as SearchMode, ...(model ? { rewrite: model } : {}) });
          if (o.json) return json(hits);
          if (hits.length === 0) return out('no matching skills');
          out(table([
            ['SCORE', 'NAME', 'V', 'ENV', 'STATUS', 'DESCRIPTION'],
            ...hits.map((h) => [h.score.toFixed(3), h.skill.name, String(h.skill.version), h.skill.env, h.skill.status, oneLine(h.skill.description, 60)]),
          ]));
        });
      } finally {
        await model?.close?.();
      }
    });

  skills
    .command('add <file>')
    .description('add skills from a JSON file (one skill input or an array), or a .js file with --description and --env')
    .option('--name <name>', 'for a .js file: the function to use (default: the first async function)')
    .option('--description <text>', 'for a .js file: what the skill does')
    .option('--env <kind>', 'for a .js file: environment kind, e.g. minecraft')
    .option('--params <json>', 'for a .js file: JSON schema of the arguments')
    .option('--status <status>', 'candidate (default) | verified')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: Common & { name?: string; description?: string; env?: string; params?: string; status?: string }, cmd: Command) => {
      const { readRegularFile } = await import('../../skills/untrusted-files.js');
      let text: string;
      try {
        // A regular file of sane size: a fifo or /dev/zero given by mistake must not hang or exhaust memory.
        text = readRegularFile(file, { maxBytes: 64 * 1024 * 1024 });
      } catch (err) {
        throw new SkillforgeError('E_ARG', `cannot read ${file}: ${(err as Error).message}`, { hint: 'pass a JSON file of skill input(s), or a .js file with --description and --env' });
      }
      let inputs: unknown[];
      if (file.endsWith('.js')) {
        const name = o.name ?? /async\s+function\s+([A-Za-z_$][\w$]*)/.exec(text)?.[1];
        if (!name || !o.description || !o.env) {
          throw new SkillforgeError('E_ARG', 'a .js skill needs --description and --env (and an async function, or --name)', {
            hint: 'skillforge skills add mine.js --env minecraft --description "Mine one oak log"',
          });
        }
        let params: unknown;
        if (o.params) {
          try {
            params = JSON.parse(o.params);
          } catch {
            throw new SkillforgeError('E_ARG', '--params is not JSON');
          }
        }
        inputs = [{ name, description: o.description, env: o.env, code: text, ...(params ? { params } : {}), ...(o.status ? { status: statusArg(o.status) } : {}) }];
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          throw new SkillforgeError('E_ARG', `${file} is not JSON: ${(err as Error).message}`, { hint: 'pass a .js file with --description/--env, or JSON skill input(s)' });
        }
        inputs = Array.isArray(parsed) ? parsed : [parsed];
      }
      await withLibrary(cmd, async (lib) => {
        const results = await lib.addMany(inputs as never);
        if (o.json) return json(results.map((r) => ({ name: r.skill.name, version: r.skill.version, created: r.created })));
        for (const r of results) out(`${r.created ? 'added' : 'unchanged'} ${r.skill.name} v${r.skill.version}`);
      });
    });

  skills
    .command('import <path>')
    .description('import a skill bundle file or a Voyager skill library folder (exit code 2 when Voyager skills were rejected)')
    .option('--policy <policy>', 'for names that exist: skip | new-version | replace', 'skip')
    .option('--trusted', 'keep verified status (bundles: only an intact bundle, signature checked when signed) / import Voyager skills as verified')
    .option('--trust <pubkey>', 'a public key file; bundles signed by it keep verified statuses (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--require-signature', 'refuse unsigned bundles and bundles not signed by a --trust key')
    .option('--skip-invalid', 'unsigned, untrusted bundles: import the valid entries as candidates instead of refusing the bundle (exit code 2)')
    .option('--minecraft-version <v>', 'the Minecraft version minecraft skills will run in; item names it does not know are warned about (default: the embedded world\'s)')
    .option('--json', 'machine-readable output')
    .action(async (path: string, o: Common & { policy: string; trusted?: boolean; trust: string[]; requireSignature?: boolean; skipInvalid?: boolean; minecraftVersion?: string }, cmd: Command) => {
      const { lstatSync, statSync } = await import('node:fs');
      if (!lstatSync(path, { throwIfNoEntry: false })) {
        throw new SkillforgeError('E_ARG', `${path} does not exist`, { hint: 'pass a bundle file (skillforge skills export) or a Voyager skill library folder (with skills.json or code/)' });
      }
      if (o.trusted && o.skipInvalid) throw new SkillforgeError('E_USAGE', '--trusted takes a bundle whole: it cannot be combined with --skip-invalid', { hint: 'drop one of the two' });
      // A symbolic link to a folder goes to the Voyager importer, which refuses it (naming the real path).
      const folder = statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
      await withLibrary(cmd, async (lib) => {
        if (folder) {
          const { importVoyager } = await import('../../skills/voyager-import.js');
          const minecraftVersion = o.minecraftVersion ?? (await import('../../envs/minecraft/server/version.js')).MINECRAFT_VERSION;
          const r = await importVoyager(lib, path, { trusted: o.trusted, minecraftVersion });
          if (r.rejected.length) process.exitCode = 2;
          if (o.json) return json(r);
          for (const a of r.added) out(`added ${a.name} v${a.version}`);
          for (const x of r.rejected) out(`rejected ${x.name ?? '?'} (${x.file}): ${x.errors.join('; ')}`);
          for (const w of r.warnings) out(`warning: ${w.name}: ${w.message}`);
          out(`Voyager import from ${r.folder}: ${r.added.length} added, ${r.unchanged.length} unchanged, ${r.rejected.length} rejected, ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}`);
          return;
        }
        const [{ readBundle, IMPORT_POLICIES }, { loadPublicKey }, { importWithTrust }] = await Promise.all([
          import('../../skills/bundle.js'),
          import('../../skills/signature.js'),
          import('../../skills/trust.js'),
        ]);
        if (!(IMPORT_POLICIES as readonly string[]).includes(o.policy)) {
          throw new SkillforgeError('E_ARG', `unknown --policy ${o.policy}`, { hint: `one of ${IMPORT_POLICIES.join(', ')}` });
        }
        const bundle = await readBundle(path);
        // Signature, digest and every entry first: a tampered, badly signed or partly invalid bundle
        // is refused (an error, exit code 1) before anything is written.
        const r = await importWithTrust(lib, bundle, {
          policy: o.policy as never,
          trusted: o.trusted,
          trustedKeys: o.trust.map((f) => loadPublicKey(f)),
          requireTrusted: o.requireSignature,
          skipInvalid: o.skipInvalid,
        });
        if (r.rejected.length) process.exitCode = 2;
        // Minecraft skills naming items the target world's version does not know: said, not refused.
        const stored = new Set(r.entries.filter((e) => e.action === 'added' || e.action === 'replaced').map((e) => `${e.name}@${e.version}`));
        const minecraft = (bundle.skills as { name?: unknown; version?: unknown; env?: unknown; code?: unknown }[])
          .filter((s) => s.env === 'minecraft' && typeof s.code === 'string' && stored.has(`${String(s.name)}@${String(s.version)}`));
        const warnings: { name: string; unknownNames: string[]; message: string }[] = [];
        if (minecraft.length) {
          const { MinecraftVocabulary } = await import('../../skills/minecraft-names.js');
          const vocabulary = MinecraftVocabulary.for(o.minecraftVersion ?? (await import('../../envs/minecraft/server/version.js')).MINECRAFT_VERSION);
          for (const s of minecraft) {
            const unknownNames = vocabulary.unknownInCode(s.code as string);
            if (unknownNames.length) warnings.push({ name: String(s.name), unknownNames, message: `uses ${unknownNames.join(', ')}, unknown to Minecraft ${vocabulary.version}: it will fail in a ${vocabulary.version} world` });
          }
        }
        if (o.json) return json({ ...r, warnings });
        const v = r.verification;
        const kept = o.trusted || v.trusted;
        out(
          v.signed
            ? `signature valid, key ${v.keyId} (${kept ? `${v.trusted ? 'trusted' : 'trusted by --trusted'}: verified statuses kept` : 'not trusted: skills enter as candidates'})`
            : kept ? 'unsigned bundle, trusted by --trusted: verified statuses kept' : 'unsigned bundle: skills enter as candidates',
        );
        for (const e of r.entries) out(`${e.action} ${e.name} v${e.version}`);
        for (const x of r.rejected) out(`skipped invalid entry #${x.index}${x.name ? ` (${x.name})` : ''}: ${x.errors.join('; ')}`);
        for (const w of warnings) out(`warning: ${w.name}: ${w.message}`);
        if (r.digestMismatch) out('warning: the bundle digest does not match its skills (edited after export); only entries that passed their own checks were imported');
        const count = (a: string) => r.entries.filter((e) => e.action === a).length;
        out(`bundle import: ${count('added') + count('replaced')} stored, ${count('unchanged')} unchanged, ${count('skipped')} skipped, ${r.rejected.length} invalid`);
      });
    });

  skills
    .command('export <file>')
    .description('export skills to a bundle file')
    .option('--env <kind>', 'only this environment kind')
    .option('--status <status>', 'only this status')
    .option('--names <list>', 'comma-separated skill names')
    .option('--all-versions', 'every version, not only the latest')
    .option('--sign <keyfile>', 'sign the bundle with this ed25519 private key (skillforge skills keygen)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, o: Common & { env?: string; status?: string; names?: string; allVersions?: boolean; sign?: string }, cmd: Command) => {
      const { exportBundle, writeBundle } = await import('../../skills/bundle.js');
      const signature = o.sign ? await import('../../skills/signature.js') : undefined;
      const key = o.sign ? signature!.loadPrivateKey(o.sign) : undefined;
      await withLibrary(cmd, async (lib) => {
        let bundle = await exportBundle(lib, {
          env: o.env,
          status: statusArg(o.status),
          allVersions: o.allVersions,
          names: o.names ? o.names.split(',').map((n) => n.trim()).filter(Boolean) : undefined,
        });
        if (key) bundle = signature!.signBundle(bundle, key);
        await writeBundle(file, bundle);
        const keyId = key ? signature!.keyId(key) : undefined;
        if (o.json) return json({ file, skills: bundle.skills.length, digest: bundle.digest, ...(keyId ? { keyId } : {}) });
        out(`exported ${bundle.skills.length} skill version(s) to ${file} (digest ${bundle.digest.slice(0, 16)}…${keyId ? `, signed with key ${keyId}` : ''})`);
      });
    });

  skills
    .command('run <name>')
    .description('run one library skill in the sandbox against an environment with its embedded defaults, and print the outcome (exit code 1 when it fails)')
    .option('--version <n>', 'a specific version (default: latest)')
    .option('--env <name>', 'kitchen | minecraft | robot (default: the one the skill is written for)')
    .option('--args <json>', 'named arguments as a JSON object, checked against the skill\'s params schema', '{}')
    .option('--timeout <ms>', 'time limit of the run', '60000')
    .option('--seed <seed>', 'seed of the environment (default: kitchen and robot 0, minecraft 1)')
    .option('--json', 'machine-readable output')
    .action(async (name: string, o: Common & { version?: string; env?: string; args: string; timeout: string; seed?: string }, cmd: Command) => {
      const run = await import('../skill-run.js');
      const timeoutMs = intArg(o.timeout, '--timeout');
      await withLibrary(cmd, async (lib) => {
        const skill = await lib.get(name, o.version ? intArg(o.version, '--version') : undefined);
        if (!skill) throw new SkillforgeError('E_NOT_FOUND', `no skill ${name}${o.version ? ` v${o.version}` : ''}`, { hint: 'list skills with: skillforge skills list' });
        const envName = run.runEnvironmentFor(skill, o.env);
        const args = run.parseSkillArgs(skill, o.args);
        const log = (line: string) => void (o.json ? undefined : process.stderr.write(`${line}\n`));
        const started = await run.startRunEnvironment(envName, { seed: o.seed, log });
        const { SkillRuntime } = await import('../../skills/runtime/runtime.js');
        const runtime = new SkillRuntime();
        const controller = new AbortController();
        const interrupt = () => controller.abort(new SkillforgeError('E_INTERRUPTED', 'interrupted (Ctrl-C)'));
        process.once('SIGINT', interrupt);
        try {
          if (!o.json) log(`running ${skill.name} v${skill.version} in ${started.label}...`);
          const report = await run.runLibrarySkill({ library: lib, env: started.env, runtime, skill, args, timeoutMs, signal: controller.signal, environment: envName });
          // 130: stopped by Ctrl-C, as the other commands exit when interrupted.
          if (!report.ok) process.exitCode = controller.signal.aborted ? 130 : 1;
          if (o.json) return json(report);
          out(run.formatRunReport(report));
        } finally {
          process.off('SIGINT', interrupt);
          await runtime.close();
          await started.close();
        }
      });
    });

  skills
    .command('stats [name]')
    .description('library totals and index state, or one skill\'s execution stats')
    .option('--json', 'machine-readable output')
    .action(async (name: string | undefined, o: Common, cmd: Command) => {
      await withLibrary(cmd, async (lib) => {
        if (name) {
          const versions = await lib.versions(name);
          if (!versions.length) throw new SkillforgeError('E_NOT_FOUND', `no skill ${name}`, { hint: 'list skills with: skillforge skills list' });
          const rows = versions.map((s) => ({ version: s.version, status: s.status, ...s.stats }));
          if (o.json) return json({ name, versions: rows });
          out(table([
            ['V', 'STATUS', 'ATTEMPTS', 'SUCCESSES', 'MEAN MS', 'LAST ERROR'],
            ...rows.map((r) => [String(r.version), r.status, String(r.attempts), String(r.successes), r.meanDurationMs.toFixed(0), r.lastError ?? '-']),
          ]));
          return;
        }
        const all = await lib.list();
        const by = (key: (s: Skill) => string) => all.reduce<Record<string, number>>((acc, s) => ({ ...acc, [key(s)]: (acc[key(s)] ?? 0) + 1 }), {});
        const summary = {
          dir: lib.dir,
          names: all.length,
          versions: await lib.count({ allVersions: true }),
          byEnv: by((s) => s.env),
          byStatus: by((s) => s.status),
          attempts: all.reduce((n, s) => n + s.stats.attempts, 0),
          successes: all.reduce((n, s) => n + s.stats.successes, 0),
          index: lib.indexInfo(),
        };
        if (o.json) return json(summary);
        out(`library ${summary.dir}`);
        out(`  ${summary.names} skills, ${summary.versions} versions`);
        out(`  by env: ${Object.entries(summary.byEnv).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`);
        out(`  by status: ${Object.entries(summary.byStatus).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`);
        out(`  executions: ${summary.successes}/${summary.attempts} succeeded (latest versions)`);
        out(`  index: ${summary.index.count} vectors, embedder ${summary.index.embedder}, dim ${summary.index.dim}, at change ${summary.index.seq}`);
      });
    });

  skills
    .command('reindex')
    .description('rebuild the search index from the database')
    .option('--json', 'machine-readable output')
    .action(async (o: Common, cmd: Command) => {
      await withLibrary(cmd, async (lib) => {
        const r = await lib.reindex();
        if (o.json) return json(r);
        out(`reindexed ${r.count} skills in ${r.ms.toFixed(0)} ms`);
      });
    });
}
