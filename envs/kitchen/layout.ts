/**
 * The static part of SayCan's mock kitchen: which places and objects exist and what the objects
 * are (drink, snack, ...). Plain data, shared by the world model, the instruction generator and
 * anything that reuses the world (the simulated ROS 2 robot).
 */

/** A place the robot can drive to. Drawers are places too (the robot stands at the drawer). */
export interface KitchenLocation {
  id: string;
  /** Objects can be put down here (false for the user and the robot's parking spot). */
  surface: boolean;
  /** The preposition used in language: "on the table", "in the sink". */
  prep: 'on' | 'in' | 'near';
  drawer: boolean;
}

export type ObjectCategory = 'drink' | 'soda' | 'caffeinated' | 'fruit' | 'snack' | 'chips' | 'bar' | 'healthy' | 'cleaning' | 'sweet';

export interface KitchenObject {
  id: string;
  /** "a"/"an" for language ("bring me an apple"). */
  article: 'a' | 'an';
  categories: readonly ObjectCategory[];
  /**
   * How hard the object is to grasp, multiplying the configured noise (1 = ordinary can;
   * deformable bags and sponges slip more often). Gives learned affordances something to learn.
   */
  grip: number;
}

export interface KitchenLayout {
  /** Bumped whenever ids or their order change: feature vectors depend on it. */
  version: string;
  locations: readonly KitchenLocation[];
  objects: readonly KitchenObject[];
  /** Where the robot starts. */
  start: string;
  /** Where objects may start (surfaces the generator scatters objects over). */
  startPlaces: readonly string[];
}

const loc = (id: string, surface: boolean, prep: KitchenLocation['prep'], drawer = false): KitchenLocation => ({ id, surface, prep, drawer });
const obj = (id: string, categories: ObjectCategory[], grip = 1): KitchenObject => ({
  id,
  article: /^[aeiou]/.test(id) ? 'an' : 'a',
  categories,
  grip,
});

/** The layout of the PaLM-SayCan mock kitchen (objects and places as named in the paper). */
export const SAYCAN_KITCHEN: KitchenLayout = {
  version: 'saycan-kitchen-v1',
  locations: [
    loc('initial location', false, 'near'),
    loc('close counter', true, 'on'),
    loc('far counter', true, 'on'),
    loc('table', true, 'on'),
    loc('sink', true, 'in'),
    loc('trash can', true, 'in'),
    loc('top drawer', true, 'in', true),
    loc('middle drawer', true, 'in', true),
    loc('bottom drawer', true, 'in', true),
    loc('user', false, 'near'),
  ],
  objects: [
    obj('coke', ['drink', 'soda', 'caffeinated', 'sweet']),
    obj('sprite', ['drink', 'soda', 'sweet']),
    obj('pepsi', ['drink', 'soda', 'caffeinated', 'sweet']),
    obj('lime soda', ['drink', 'soda', 'sweet']),
    obj('grapefruit soda', ['drink', 'soda', 'sweet']),
    obj('redbull', ['drink', 'caffeinated', 'sweet']),
    obj('water bottle', ['drink', 'healthy'], 1.2),
    obj('apple', ['fruit', 'healthy', 'snack'], 0.8),
    obj('orange', ['fruit', 'healthy', 'snack'], 0.8),
    obj('rxbar blueberry', ['snack', 'bar', 'healthy'], 1.3),
    obj('rxbar chocolate', ['snack', 'bar', 'sweet'], 1.3),
    obj('energy bar', ['snack', 'bar'], 1.3),
    obj('kettle chips', ['snack', 'chips'], 2),
    obj('jalapeno chips', ['snack', 'chips'], 2),
    obj('multigrain chips', ['snack', 'chips', 'healthy'], 2),
    obj('sponge', ['cleaning'], 1.5),
  ],
  start: 'initial location',
  startPlaces: ['close counter', 'far counter', 'table', 'top drawer', 'middle drawer', 'bottom drawer'],
};

/** Fast lookups derived once per layout. */
export interface LayoutIndex {
  layout: KitchenLayout;
  location: Map<string, KitchenLocation>;
  object: Map<string, KitchenObject>;
  locationIds: string[];
  objectIds: string[];
  drawerIds: string[];
  surfaceIds: string[];
}

const indexes = new WeakMap<KitchenLayout, LayoutIndex>();

export function indexLayout(layout: KitchenLayout): LayoutIndex {
  let ix = indexes.get(layout);
  if (!ix) {
    ix = {
      layout,
      location: new Map(layout.locations.map((l) => [l.id, l])),
      object: new Map(layout.objects.map((o) => [o.id, o])),
      locationIds: layout.locations.map((l) => l.id),
      objectIds: layout.objects.map((o) => o.id),
      drawerIds: layout.locations.filter((l) => l.drawer).map((l) => l.id),
      surfaceIds: layout.locations.filter((l) => l.surface).map((l) => l.id),
    };
    indexes.set(layout, ix);
  }
  return ix;
}

/** Objects of a category, in layout order. */
export function objectsIn(layout: KitchenLayout, category: ObjectCategory): string[] {
  return layout.objects.filter((o) => o.categories.includes(category)).map((o) => o.id);
}
