/**
 * Observation expansions: derived features an environment adds to its observation vector for
 * affordance models, named so that the feature encoder's bindings can tie them to a call's arguments.
 * Minecraft's observation counts item families ("inv.planks"); whether `craftItem(wooden_pickaxe)`
 * can run depends on the recipe of the item the call names. An expansion adds `craft_runs:wooden_pickaxe`
 * (how often the held ingredients allow the recipe), and the encoder discovers the template
 * `craft_runs:{name}`, so even a logistic regression learns "crafting works when its recipe's
 * ingredients are held" for every item, from the same stored attempts (only features are stored:
 * the expansion reads them, nothing else).
 *
 * The same expansion must run at training and at scoring time: training data gets the layout id
 * `<layout>+<expansion id>`, which the model's manifest records, and `ExpandedAffordance` expands each
 * observation before the model scores it.
 *
 * @example
 *   const data = expandTrainingData(memory.trainingSet({ env: 'minecraft' }), expansion);
 *   const result = await trainAffordance(data, { kind: 'mlp' });
 *   const can = new ExpandedAffordance(await OnnxAffordanceModel.load(path), expansion);
 */
import { SkillforgeError } from '../../core/errors.js';
import type { Observation, SkillCall } from '../../core/types.js';
import type { AffordanceModel } from './model.js';
import type { TrainingData } from './train.js';

export interface ObservationExpansion {
  /** Names the derived features' meaning; change it with any change of names or values. */
  readonly id: string;
  /** Names of the derived features, in the order `derive` returns them. */
  readonly names: readonly string[];
  /** The derived features of one observation vector (named by `featureNames`). */
  derive(features: Float32Array, featureNames: readonly string[]): Float32Array;
}

/** The layout id of expanded data: the observation's layout plus the expansion's id. */
export const expandedLayout = (layout: string, expansion: ObservationExpansion) => `${layout}+${expansion.id}`;

function expandVector(expansion: ObservationExpansion, features: Float32Array, featureNames: readonly string[]): Float32Array {
  const derived = expansion.derive(features, featureNames);
  if (derived.length !== expansion.names.length) {
    throw new SkillforgeError('E_LAYOUT_MISMATCH', `expansion ${expansion.id} derived ${derived.length} features for ${expansion.names.length} names`);
  }
  const out = new Float32Array(features.length + derived.length);
  out.set(features, 0);
  out.set(derived, features.length);
  return out;
}

/** An observation with the derived features appended (names too). */
export function expandObservation(observation: Observation, expansion: ObservationExpansion): Observation {
  return {
    ...observation,
    features: expandVector(expansion, observation.features, observation.featureNames),
    featureNames: [...observation.featureNames, ...expansion.names],
  };
}

/** A training set with every row expanded; the layout id says so. */
export function expandTrainingData<T extends TrainingData>(data: T, expansion: ObservationExpansion): TrainingData {
  return {
    ...data,
    layout: expandedLayout(data.layout, expansion),
    featureNames: [...data.featureNames, ...expansion.names],
    features: data.features.map((f) => expandVector(expansion, f, data.featureNames)),
  };
}

/** An affordance model trained on expanded data, scoring raw observations. */
export class ExpandedAffordance implements AffordanceModel {
  readonly id: string;
  /** Cached names: observations of one environment share their featureNames array. */
  #names: { raw: readonly string[]; all: string[] } | null = null;

  constructor(
    readonly inner: AffordanceModel,
    readonly expansion: ObservationExpansion,
  ) {
    this.id = `${inner.id}+${expansion.id}`;
  }

  score(observation: Observation, calls: readonly SkillCall[]): Promise<Float32Array> {
    if (this.#names?.raw !== observation.featureNames) this.#names = { raw: observation.featureNames, all: [...observation.featureNames, ...this.expansion.names] };
    const features = expandVector(this.expansion, observation.features, observation.featureNames);
    return this.inner.score({ ...observation, features, featureNames: this.#names.all }, calls);
  }
}

/**
 * A loaded model ready for raw observations: wrapped in its expansion when its manifest's layout was
 * expanded (`<layout>+<expansion id>`), as is otherwise. A model trained with an expansion that is
 * not given (another kit, another version) is refused with what to do.
 */
export function forRawObservations(model: AffordanceModel & { readonly manifest: { features: { observation: { layout: string } } } }, expansion?: ObservationExpansion): AffordanceModel {
  const layout = model.manifest.features.observation.layout;
  if (expansion && layout.endsWith(`+${expansion.id}`)) return new ExpandedAffordance(model, expansion);
  const plus = layout.lastIndexOf('+');
  if (plus >= 0) {
    throw new SkillforgeError('E_LAYOUT_MISMATCH', `the model was trained with derived features '${layout.slice(plus + 1)}'${expansion ? `, this environment derives '${expansion.id}'` : ', which this environment does not derive'}`, {
      hint: 'use the model with the environment it was trained in (--env), or retrain it: skillforge affordance train --env <kit>',
    });
  }
  return model;
}
