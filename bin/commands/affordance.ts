/**
 * `skillforge affordance train|eval`: learned affordance value functions (SayCan's "Can").
 *
 *   skillforge affordance train --env kitchen --collect 3000      # explore, record, train, export
 *   skillforge affordance train --env kitchen --model logreg --out models/k.onnx
 *   skillforge affordance eval --model .skillforge/models/kitchen-mlp.onnx --collect 1000
 *   skillforge affordance dataset --env kitchen --out rows.csv     # encoded rows + layout, to train elsewhere
 *
 * Training reads the episodic memory in --data-dir (attempts recorded by any agent); --collect N
 * first records N random-exploration attempts in fresh episodes of the environment kit (the kitchen
 * simulator, new bots in the embedded Minecraft world, ...).
 */
import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import type { Embedder } from '../../skills/embedder.js';
import { intOption, numberOption } from '../options.js';
import { parseSetting } from '../kit-settings.js';
import type { JsonValue } from '../../core/types.js';

interface TrainFlags {
  setting: Record<string, JsonValue>;
  env: string;
  model: string;
  out?: string;
  collect?: string;
  noise: string;
  seed: string;
  hidden: string;
  epochs?: string;
  l2?: string;
  layout?: string;
  embedder?: string;
  json?: boolean;
}

interface EvalFlags {
  setting: Record<string, JsonValue>;
  model: string;
  env?: string;
  collect?: string;
  noise: string;
  seed: string;
  since?: string;
  json?: boolean;
}

/** The embedder a manifest's layout names, when we can rebuild it (the hashed default). */
async function embedderFor(id: string | undefined): Promise<Embedder | undefined> {
  if (!id) return undefined;
  const m = /^hashed-v1:d(\d+):b([\d.]+):t([\d.]+)$/.exec(id);
  if (!m) {
    throw new SkillforgeError('E_USAGE', `the model encodes skills with embedder '${id}', which the CLI cannot rebuild`, {
      hint: 'load it from code with OnnxAffordanceModel.load(path, { embedder })',
    });
  }
  const { HashedEmbedder } = await import('../../skills/hashed-embedder.js');
  return new HashedEmbedder({ dim: Number(m[1]), bigramWeight: Number(m[2]), trigramWeight: Number(m[3]) });
}

/**
 * Record `n` random-exploration attempts in fresh episodes of the kit's environment (a new kitchen
 * state, a new Minecraft bot...), with their real outcomes.
 */
async function collect(envName: string, n: number, memory: import('../../memory/episodic.js').EpisodicMemory, seed: number, noise: number, prefix: string, log: (s: string) => void, settings: Record<string, JsonValue> = {}) {
  const { loadKit } = await import('../../kits/registry.js');
  const kit = await loadKit(envName);
  const { exploreConcurrently } = await import('../../agents/affordance/explore.js');
  const t0 = performance.now();
  const session = await kit.open({ seed: String(seed), noise, log, settings });
  let stats;
  try {
    // How the kit wants to be explored: several bots at once where calls wait on the world, short
    // episodes, the candidates of a typical instruction, slow primitives left out.
    const x = kit.affordance?.explore ?? {};
    const primitives = (x.instruction && session.primitivesFor?.(x.instruction)) || session.primitives;
    stats = await exploreConcurrently({
      workers: x.workers ?? 1,
      attempts: n,
      memory,
      seed,
      episodePrefix: prefix,
      ...(primitives ? { primitives } : {}),
      ...(x.stepsPerEpisode !== undefined ? { stepsPerEpisode: x.stepsPerEpisode } : {}),
      ...(x.feasibleBias !== undefined ? { feasibleBias: x.feasibleBias } : {}),
      ...(x.unknownFeasible !== undefined ? { unknownFeasible: x.unknownFeasible } : {}),
      ...(x.exclude ? { exclude: x.exclude } : {}),
      ...(x.timeoutMs !== undefined ? { timeoutMs: x.timeoutMs } : {}),
      makeEnv: (e) => session.fresh(`${prefix}${e}`),
    });
  } finally {
    await session.close();
  }
  log(
    `collected ${stats.attempts} attempts in ${stats.episodes} ${kit.name} episodes (${stats.successes} successes${kit.name === 'kitchen' ? `, noise ${noise}` : ''}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return stats;
}

/** The kit's derived call features (Minecraft's), which models of it are trained and scored with. */
async function expansionOf(envName: string): Promise<import('../../agents/affordance/expansion.js').ObservationExpansion | undefined> {
  const { loadKit } = await import('../../kits/registry.js');
  return (await loadKit(envName)).affordance?.features?.();
}

/** The environment kind attempts of `--env` are recorded under (a kit module may name its own). */
async function kindOf(envName: string): Promise<string> {
  const { loadKit } = await import('../../kits/registry.js');
  return (await loadKit(envName)).kind;
}

/** The observation layout with most attempts of an environment (saying so when there are several). */
function pickLayout(memory: import('../../memory/episodic.js').EpisodicMemory, env: string, log: (s: string) => void): string {
  const counts = memory
    .layouts()
    .map((l) => ({ id: l.id, n: memory.count({ env, layout: l.id }) }))
    .filter((l) => l.n > 0)
    .sort((a, b) => b.n - a.n);
  if (!counts.length) {
    throw new SkillforgeError('E_EMPTY', `no ${env} attempts in ${memory.file}`, {
      hint: 'add --collect 3000 to record random-exploration attempts first, or run an agent in that environment with memory on',
    });
  }
  if (counts.length > 1) log(`using feature layout ${counts[0]!.id} (${counts[0]!.n} attempts); others: ${counts.slice(1).map((c) => `${c.id} (${c.n})`).join(', ')}`);
  return counts[0]!.id;
}

export function register(program: Command): void {
  const cmd = program.command('affordance').description('learned affordance models (SayCan "Can"): train from episodic memory, export ONNX, evaluate');

  cmd
    .command('train')
    .description('train a success-probability model from recorded attempts and export it as ONNX + manifest')
    .option('--env <kind>', 'environment kit whose attempts to train on: kitchen, minecraft, robot, or a kit module path', 'kitchen')
    .option('--model <kind>', 'mlp | logreg', 'mlp')
    .option('--out <path>', 'output .onnx path (manifest written beside it); default <data-dir>/models/<env>-<model>.onnx')
    .option('--collect <n>', 'first record n random-exploration attempts in fresh episodes of the environment')
    .option('--setting <key=value>', 'a kit setting while collecting, repeatable (robot: simSpeed...; minecraft: hostileMobs...)', parseSetting, {})
    .option('--noise <p>', 'failure noise while collecting (simulators)', '0.1')
    .option('--seed <n>', 'seed for collection, splits and initialisation', '1')
    .option('--hidden <widths>', 'hidden layer widths of the MLP, comma-separated', '32')
    .option('--epochs <n>', 'maximum epochs (early stopping decides)')
    .option('--l2 <x>', 'L2 penalty on weights')
    .option('--layout <id>', 'observation feature layout to train on (default: the one with most attempts)')
    .option('--embedder <name>', "encode skill names with an embedder ('hashed') instead of hashed tokens")
    .option('--json', 'print a JSON report')
    .action(async (flags: TrainFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const kind = flags.model;
      if (kind !== 'mlp' && kind !== 'logreg') throw new SkillforgeError('E_USAGE', `--model must be mlp or logreg, got '${kind}'`);
      const seed = intOption(flags.seed, '--seed');
      const hidden = flags.hidden.split(',').map((h) => intOption(h.trim(), '--hidden', 1));
      const log = (s: string) => (flags.json ? process.stderr : process.stdout).write(`${s}\n`);
      // Folders first: a file in the way is reported now, not after minutes of collecting and training.
      const { ensureFolder } = await import('../paths.js');
      ensureFolder(dataDir, '--data-dir');
      const out = flags.out ?? join(dataDir, 'models', `${flags.env}-${kind}.onnx`);
      ensureFolder(dirname(resolve(out)), "--out's folder", 'E_USAGE');
      const { EpisodicMemory } = await import('../../memory/episodic.js');
      const memory = EpisodicMemory.open({ dir: dataDir });
      try {
        if (flags.collect) await collect(flags.env, intOption(flags.collect, '--collect', 1), memory, seed, numberOption(flags.noise, '--noise', 0, 1), `explore-${seed}-${Date.now()}-`, log, flags.setting);
        const envKind = await kindOf(flags.env);
        const layout = flags.layout ?? pickLayout(memory, envKind, log);
        const stored = memory.trainingSet({ env: envKind, layout });
        const expansion = await expansionOf(flags.env);
        const set = expansion ? (await import('../../agents/affordance/expansion.js')).expandTrainingData(stored, expansion) : stored;
        const embedder = flags.embedder
          ? flags.embedder === 'hashed'
            ? new (await import('../../skills/hashed-embedder.js')).HashedEmbedder({ dim: 64 })
            : (() => {
                throw new SkillforgeError('E_USAGE', `--embedder supports 'hashed', got '${flags.embedder}'`);
              })()
          : undefined;
        const { trainAffordance } = await import('../../agents/affordance/train.js');
        const { exportAffordanceModel } = await import('../../agents/affordance/onnx-model.js');
        const { formatMetrics, formatReliability } = await import('../../agents/affordance/metrics.js');
        log(`training ${kind}${kind === 'mlp' ? ` [${hidden.join(', ')}]` : ''} on ${set.features.length} ${envKind} attempts (layout ${set.layout})`);
        const result = await trainAffordance(set, {
          kind,
          hidden,
          seed,
          embedder,
          ...(flags.epochs ? { epochs: intOption(flags.epochs, '--epochs', 1) } : {}),
          ...(flags.l2 ? { l2: numberOption(flags.l2, '--l2') } : {}),
        });
        const { onnxPath, manifestPath } = exportAffordanceModel(result, out, { env: envKind, attempts: set.features.length });
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ onnxPath, manifestPath, kind, layout: set.layout, dim: result.layout.dim, split: result.split, epochs: result.epochs, bestEpoch: result.bestEpoch, calibration: result.calibration, trainMs: result.trainMs, metrics: result.metrics }, null, 2)}\n`,
          );
          return;
        }
        const m = result.metrics;
        log(`split by ${result.split.by}: ${result.split.train} train / ${result.split.validation} validation / ${result.split.test} test attempts`);
        log(`${result.epochs} epochs (best ${result.bestEpoch}), ${(result.trainMs / 1000).toFixed(2)} s; row width ${result.layout.dim}, ${result.layout.bindings.length} argument bindings${result.calibration ? `; Platt a=${result.calibration.a.toFixed(3)} c=${result.calibration.c.toFixed(3)}` : ''}`);
        log('held-out test attempts:');
        log(`  ${formatMetrics(kind, m.test)}`);
        log(`  ${formatMetrics('per-skill', m.skillBaseline)}`);
        log(`  ${formatMetrics('constant', m.baseline)}`);
        log(`reliability (${kind}, test):`);
        log(formatReliability(m.test.reliability));
        log(`wrote ${onnxPath}\n      ${manifestPath}`);
        // SayCan needs a language model for Say: the hint names --llm so it runs as printed once filled in.
        const example = flags.env === 'kitchen' ? '"bring me an apple"' : flags.env === 'minecraft' ? '--env minecraft "make a wooden pickaxe"' : `--env ${flags.env} "<instruction>"`;
        log(`use it: skillforge saycan ${example} --affordance ${onnxPath} --llm <provider:model>   (e.g. --llm ollama:llama3.1; docs/llm.md)`);
      } finally {
        memory.close();
      }
    });

  cmd
    .command('dataset')
    .description('write recorded attempts as encoded rows (CSV) + their feature layout, to train a model elsewhere')
    .option('--env <kind>', 'environment kit whose attempts to export', 'kitchen')
    .option('--out <path>', 'CSV path (the layout goes to <name>.layout.json beside it)', 'affordance-rows.csv')
    .option('--collect <n>', 'first record n random-exploration attempts in fresh episodes of the environment')
    .option('--setting <key=value>', 'a kit setting while collecting, repeatable (robot: simSpeed...; minecraft: hostileMobs...)', parseSetting, {})
    .option('--noise <p>', 'failure noise while collecting (simulators)', '0.1')
    .option('--seed <n>', 'seed for collection', '1')
    .option('--layout <id>', 'observation feature layout (default: the one with most attempts)')
    .action(async (flags: { env: string; out: string; collect?: string; noise: string; seed: string; layout?: string; setting: Record<string, JsonValue> }, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const log = (s: string) => process.stdout.write(`${s}\n`);
      const { EpisodicMemory } = await import('../../memory/episodic.js');
      (await import('../paths.js')).ensureFolder(dataDir, '--data-dir');
      const memory = EpisodicMemory.open({ dir: dataDir });
      try {
        const seed = intOption(flags.seed, '--seed');
        if (flags.collect) await collect(flags.env, intOption(flags.collect, '--collect', 1), memory, seed, numberOption(flags.noise, '--noise', 0, 1), `explore-${seed}-${Date.now()}-`, log, flags.setting);
        const envKind = await kindOf(flags.env);
        const set = memory.trainingSet({ env: envKind, layout: flags.layout ?? pickLayout(memory, envKind, log) });
        const { encodeDataset, writeDatasetCsv } = await import('../../agents/affordance/dataset.js');
        const ds = await encodeDataset(set);
        const { csvPath, layoutPath } = writeDatasetCsv(ds, flags.out);
        log(`wrote ${ds.n} rows x ${ds.layout.dim} features (+ label, episode) to ${csvPath}`);
        log(`feature layout: ${layoutPath} (put it under "features" in your model's manifest; see docs/affordance.md)`);
      } finally {
        memory.close();
      }
    });

  cmd
    .command('eval')
    .description('score recorded attempts with an ONNX affordance model and report AUC, Brier and a reliability table')
    .requiredOption('--model <path>', 'the .onnx file (its .json manifest beside it) or the manifest')
    .option('--env <kind>', 'environment kind of the attempts (default: all with the model\'s layout)')
    .option('--collect <n>', 'record n fresh random-exploration attempts and evaluate on those only')
    .option('--setting <key=value>', 'a kit setting while collecting, repeatable (robot: simSpeed...; minecraft: hostileMobs...)', parseSetting, {})
    .option('--noise <p>', 'failure noise while collecting (simulators)', '0.1')
    .option('--seed <n>', 'seed for collection', '1000')
    .option('--since <time>', 'only attempts at or after this time (ISO date or ms since epoch)')
    .option('--json', 'print a JSON report')
    .action(async (flags: EvalFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const log = (s: string) => (flags.json ? process.stderr : process.stdout).write(`${s}\n`);
      const { readManifest } = await import('../../agents/affordance/manifest.js');
      const { manifest } = readManifest(flags.model);
      const embedder = await embedderFor(manifest.features.skill.kind === 'embedder' ? manifest.features.skill.id : undefined);
      const { OnnxAffordanceModel } = await import('../../agents/affordance/onnx-model.js');
      const model = await OnnxAffordanceModel.load(flags.model, { embedder });
      const { EpisodicMemory } = await import('../../memory/episodic.js');
      (await import('../paths.js')).ensureFolder(dataDir, '--data-dir');
      const memory = EpisodicMemory.open({ dir: dataDir });
      try {
        let since: number | undefined;
        if (flags.since) {
          since = /^\d+$/.test(flags.since) ? Number(flags.since) : Date.parse(flags.since);
          if (!Number.isFinite(since)) throw new SkillforgeError('E_USAGE', `--since must be an ISO date or ms since epoch, got '${flags.since}'`);
        }
        if (flags.collect) {
          const start = Date.now();
          await collect(flags.env ?? 'kitchen', intOption(flags.collect, '--collect', 1), memory, intOption(flags.seed, '--seed'), numberOption(flags.noise, '--noise', 0, 1), `eval-${start}-`, log, flags.setting);
          since = start;
        } else if (since === undefined) {
          log('note: evaluating on every recorded attempt of this layout, including any the model was trained on; use --collect or --since for held-out numbers');
        }
        // A model trained with the kit's derived features names them after its layout ('<layout>+<id>'):
        // read the stored attempts by the plain layout and derive the same features.
        const expansion = flags.env ? await expansionOf(flags.env) : undefined;
        const trained = manifest.features.observation.layout;
        const expanded = expansion !== undefined && trained.endsWith(`+${expansion.id}`);
        const stored = memory.trainingSet({ layout: expanded ? trained.slice(0, -(expansion.id.length + 1)) : trained, ...(flags.env ? { env: await kindOf(flags.env) } : {}), ...(since !== undefined ? { since } : {}) });
        const set = expanded ? (await import('../../agents/affordance/expansion.js')).expandTrainingData(stored, expansion) : stored;
        const { evaluate, formatMetrics, formatReliability } = await import('../../agents/affordance/metrics.js');
        const t0 = performance.now();
        const p = await model.scorePairs(set.features, set.calls);
        const scoreMs = performance.now() - t0;
        const metrics = evaluate(p, set.labels);
        const rate = typeof manifest.training?.['baseRate'] === 'number' ? (manifest.training['baseRate'] as number) : Array.from(set.labels).reduce((s, v) => s + v, 0) / set.labels.length;
        const baseline = evaluate(new Float32Array(p.length).fill(rate), set.labels);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ model: model.modelPath, kind: manifest.kind, attempts: p.length, scoreMs, metrics, baseline }, null, 2)}\n`);
          return;
        }
        log(`${model.id} (${manifest.kind}) on ${p.length} attempts of layout ${set.layout}; scored in one batch in ${scoreMs.toFixed(1)} ms`);
        log(`  ${formatMetrics(manifest.kind, metrics)}`);
        log(`  ${formatMetrics('constant', baseline)}`);
        log('reliability:');
        log(formatReliability(metrics.reliability));
      } finally {
        memory.close();
        await model.close();
      }
    });
}
