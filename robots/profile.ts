/**
 * Robot profiles: a YAML or JSON file that maps skills to ROS 2 interfaces (which action navigates,
 * which topic carries velocity, where the named locations are) and carries the safety limits.
 * Every profile is validated with ajv before anything connects to a robot.
 *
 * @example
 * const profile = await loadProfile('robots/profiles/sim-kitchen.yaml');
 * profile.locations['table']; // { x: 2, y: 1.5, yaw: 0 }
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { assertValid } from '../core/validate.js';
import type { JsonSchema, JsonValue } from '../core/types.js';

export interface Pose2D {
  x: number;
  y: number;
  /** Heading in radians (counter-clockwise from +x). */
  yaw: number;
}

/** A named place: its pose, and how language talks about putting things there. */
export interface ProfileLocation extends Pose2D {
  /** Objects can be put down here (default true). */
  surface?: boolean;
  /** "on the table", "in the sink" (default 'on'). */
  prep?: 'on' | 'in' | 'near';
}

export interface ActionInterface {
  action: string;
  type: string;
  /** Goal template; string values "{object}", "{location}" are filled in from the skill call. */
  goal?: Record<string, JsonValue>;
  timeoutMs?: number;
}

export interface TopicInterface {
  topic: string;
  type: string;
  throttleRate?: number;
  queueLength?: number;
  compression?: 'none' | 'cbor';
}

export interface GripperInterface extends ActionInterface {
  openPosition: number;
  closedPosition: number;
  maxEffort: number;
}

export interface SafetyLists {
  /** Glob patterns ('*' matches within a name segment, '**' across segments). */
  readable?: string[];
  writable?: string[];
  allowed?: string[];
  forbidden?: string[];
}

export interface SafetyConfig {
  topics: { readable: string[]; writable: string[]; forbidden: string[] };
  services: { allowed: string[]; forbidden: string[] };
  actions: { allowed: string[]; forbidden: string[] };
  limits: { maxLinear: number; maxAngular: number; maxLinearAccel: number; maxAngularAccel: number };
  /** Navigation goals must fall inside this polygon (map frame, metres). */
  geofence: { polygon: [number, number][] };
  watchdog: { periodMs: number };
  /** Upper bound on any goal's duration, whatever the interface says. */
  goalTimeoutMs: number;
  /**
   * Check through rosapi, before anything moves, that every topic and service the profile relies
   * on exists with our type (default true). Off only for a bridge without rosapi, knowingly.
   */
  verifyInterfaces: boolean;
}

export interface RobotProfile {
  name: string;
  description?: string;
  /**
   * ROS generation behind the bridge (default 2). Types are written the ROS 2 way in the profile
   * and spelled `pkg/Type` on the wire for ROS 1; actions run over actionlib topics on ROS 1.
   */
  ros: 1 | 2;
  /** Frame of the location poses and navigation goals. */
  frame: string;
  locations: Record<string, ProfileLocation>;
  /** Locations that are drawers (open/close make sense there). */
  drawers?: string[];
  /** Object classes the robot's detector reports and its pick action accepts. */
  objects?: string[];
  /** The location where objects are handed to a person ('bring to user'), if any. */
  userLocation?: string;
  interfaces: {
    /**
     * Navigation action (ROS 2: nav2_msgs/action/NavigateToPose; ROS 1: move_base_msgs/action/MoveBase
     * on /move_base, run through its actionlib topics). Absent: a twist-only base, driven closed-loop
     * on cmdVel with the odometry of `observations.amcl` or `observations.odom`.
     */
    navigate?: ActionInterface;
    pick?: ActionInterface;
    place?: ActionInterface;
    gripper?: GripperInterface;
    openDrawer?: ActionInterface;
    closeDrawer?: ActionInterface;
    cmdVel: TopicInterface;
    estop: TopicInterface;
    /** A service returning the robot's state as JSON in std_srvs/srv/Trigger's message (optional). */
    state?: { service: string; type: string };
  };
  observations: {
    odom?: TopicInterface;
    amcl?: TopicInterface;
    detections?: TopicInterface;
    jointStates?: TopicInterface;
  };
  safety: SafetyConfig;
}

const name = { type: 'string', pattern: '^/[A-Za-z0-9_/~]*$' };
const rosType = { type: 'string', pattern: '^[A-Za-z0-9_]+/(msg|srv|action)/[A-Za-z0-9_]+$' };
const glob = { type: 'string', minLength: 1 };
const globs = { type: 'array', items: glob };
const num = { type: 'number' };
const pos = { type: 'number', exclusiveMinimum: 0 };
const action = {
  type: 'object',
  required: ['action', 'type'],
  additionalProperties: false,
  properties: { action: name, type: rosType, goal: { type: 'object' }, timeoutMs: { type: 'integer', minimum: 1 } },
};
const topic = {
  type: 'object',
  required: ['topic', 'type'],
  additionalProperties: false,
  properties: {
    topic: name,
    type: rosType,
    throttleRate: { type: 'integer', minimum: 0 },
    queueLength: { type: 'integer', minimum: 0 },
    compression: { enum: ['none', 'cbor'] },
  },
};

/** The JSON schema of a robot profile (single source of truth for the file format). */
export const robotProfileSchema: JsonSchema = {
  type: 'object',
  required: ['name', 'frame', 'locations', 'interfaces', 'observations', 'safety'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    ros: { enum: [1, 2], default: 2 },
    frame: { type: 'string', minLength: 1 },
    locations: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        required: ['x', 'y'],
        additionalProperties: false,
        properties: { x: num, y: num, yaw: { type: 'number', default: 0 }, surface: { type: 'boolean', default: true }, prep: { enum: ['on', 'in', 'near'], default: 'on' } },
      },
    },
    drawers: { type: 'array', items: { type: 'string' } },
    objects: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    userLocation: { type: 'string' },
    interfaces: {
      type: 'object',
      required: ['cmdVel', 'estop'],
      additionalProperties: false,
      properties: {
        navigate: action,
        pick: action,
        place: action,
        gripper: {
          type: 'object',
          required: ['action', 'type', 'openPosition', 'closedPosition', 'maxEffort'],
          additionalProperties: false,
          properties: { ...action.properties, openPosition: num, closedPosition: num, maxEffort: pos },
        },
        openDrawer: action,
        closeDrawer: action,
        cmdVel: topic,
        estop: topic,
        state: { type: 'object', required: ['service', 'type'], additionalProperties: false, properties: { service: name, type: rosType } },
      },
    },
    observations: {
      type: 'object',
      additionalProperties: false,
      properties: { odom: topic, amcl: topic, detections: topic, jointStates: topic },
    },
    safety: {
      type: 'object',
      required: ['topics', 'services', 'actions', 'limits', 'geofence', 'watchdog', 'goalTimeoutMs'],
      additionalProperties: false,
      properties: {
        topics: {
          type: 'object',
          required: ['readable', 'writable'],
          additionalProperties: false,
          properties: { readable: globs, writable: globs, forbidden: { ...globs, default: [] } },
        },
        services: { type: 'object', required: ['allowed'], additionalProperties: false, properties: { allowed: globs, forbidden: { ...globs, default: [] } } },
        actions: { type: 'object', required: ['allowed'], additionalProperties: false, properties: { allowed: globs, forbidden: { ...globs, default: [] } } },
        limits: {
          type: 'object',
          required: ['maxLinear', 'maxAngular', 'maxLinearAccel', 'maxAngularAccel'],
          additionalProperties: false,
          properties: { maxLinear: pos, maxAngular: pos, maxLinearAccel: pos, maxAngularAccel: pos },
        },
        geofence: {
          type: 'object',
          required: ['polygon'],
          additionalProperties: false,
          properties: { polygon: { type: 'array', minItems: 3, items: { type: 'array', minItems: 2, maxItems: 2, items: num } } },
        },
        watchdog: {
          type: 'object',
          required: ['periodMs'],
          additionalProperties: false,
          properties: { periodMs: { type: 'integer', minimum: 20, maximum: 60000 } },
        },
        goalTimeoutMs: { type: 'integer', minimum: 100 },
        verifyInterfaces: { type: 'boolean', default: true },
      },
    },
  },
};

/** Validate a parsed profile object (throws ValidationError naming each bad field). */
export function parseProfile(value: unknown, source = 'robot profile'): RobotProfile {
  const profile = assertValid<RobotProfile>(robotProfileSchema, value, source, 'see robots/profiles/*.yaml for complete examples');
  for (const d of profile.drawers ?? []) {
    if (!(d in profile.locations)) {
      throw new SkillforgeError('E_INVALID', `invalid ${source}: drawer '${d}' is not a location`, { hint: 'add it under locations with its pose' });
    }
  }
  if (!profile.interfaces.navigate && !profile.observations.amcl && !profile.observations.odom) {
    throw new SkillforgeError('E_INVALID', `invalid ${source}: a twist-only base (no interfaces.navigate) needs observations.odom or observations.amcl for closed-loop motion`, {
      hint: 'add the odometry topic, e.g. odom: { topic: /odom, type: nav_msgs/msg/Odometry }',
    });
  }
  if (profile.userLocation !== undefined && !(profile.userLocation in profile.locations)) {
    throw new SkillforgeError('E_INVALID', `invalid ${source}: userLocation '${profile.userLocation}' is not a location`, { hint: 'add it under locations with its pose' });
  }
  return profile;
}

/** Read a YAML or JSON profile from disk and validate it. */
export async function loadProfile(path: string): Promise<RobotProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SkillforgeError('E_PROFILE', `cannot read robot profile ${path}: ${errorMessage(err)}`, {
      hint: 'pass --profile with a YAML or JSON file; robots/profiles/ has examples',
    });
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SkillforgeError('E_PROFILE', `robot profile ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(err)}`, {
      hint: 'fix the syntax error at the position given',
    });
  }
  return parseProfile(value, `robot profile ${path}`);
}

/** Path of a profile shipped in robots/profiles/. */
export function builtinProfilePath(name: 'sim-kitchen' | 'nav2-mobile-manipulator' | 'ros1-move-base' | 'twist-base'): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'profiles', `${name}.yaml`);
}

/** Fill "{object}"-style placeholders in a goal template. */
export function fillTemplate(template: JsonValue, values: Record<string, string | number>): JsonValue {
  if (typeof template === 'string') {
    const whole = /^\{(\w+)\}$/.exec(template);
    if (whole && whole[1]! in values) return values[whole[1]!]!;
    return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
  }
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, values));
  if (template && typeof template === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(template)) out[k] = fillTemplate(v, values);
    return out;
  }
  return template;
}
