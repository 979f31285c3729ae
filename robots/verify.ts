/**
 * Verified interfaces, fail closed: before a robot may move, every topic and service the profile
 * relies on must exist on the robot with the type we speak, as rosapi reports it (/rosapi/topics,
 * /rosapi/services). A real rosbridge refuses a type string it cannot load only in its own log;
 * the client hears nothing, and an e-stop subscription that silently never existed is the worst
 * failure a safety layer can have. So a missing or mistyped interface is an error naming it.
 *
 * @example
 * const problems = await checkInterfaces(call, [{ kind: 'topic', name: '/skillforge/estop', type: 'std_msgs/Bool', role: 'e-stop (subscribed)' }], 1);
 * // [] when all is well, else ["e-stop (subscribed) /skillforge/estop: ..."]
 */
import { errorMessage } from '../core/errors.js';
import type { RosMessage } from './rosbridge/client.js';
import { rosapiType, sameType, type RosVersion } from './rosbridge/ros-types.js';

export interface Expected {
  kind: 'topic' | 'service';
  name: string;
  /** The exact type string we send (topics); services are checked by name only. */
  type?: string;
  /** What the profile uses it for, for the error message ("e-stop (subscribed)"). */
  role: string;
}

export type ServiceCaller = (service: string, type: string, args: RosMessage) => Promise<RosMessage>;

/**
 * Ask rosapi once and list every expectation it contradicts (empty: all verified). Throws when
 * rosapi itself does not answer: unverifiable is not verified.
 */
export async function checkInterfaces(call: ServiceCaller, expected: readonly Expected[], ros: RosVersion): Promise<string[]> {
  const topics = new Map<string, string>();
  if (expected.some((e) => e.kind === 'topic')) {
    const r = await call('/rosapi/topics', rosapiType('Topics', ros), {});
    const names = Array.isArray(r.topics) ? (r.topics as unknown[]) : [];
    const types = Array.isArray(r.types) ? (r.types as unknown[]) : [];
    names.forEach((n, k) => {
      if (typeof n === 'string') topics.set(n, typeof types[k] === 'string' ? (types[k] as string) : '');
    });
  }
  let services: Set<string> | undefined;
  if (expected.some((e) => e.kind === 'service')) {
    const r = await call('/rosapi/services', rosapiType('Services', ros), {});
    services = new Set(Array.isArray(r.services) ? (r.services as unknown[]).filter((s): s is string => typeof s === 'string') : []);
  }
  const problems: string[] = [];
  for (const e of expected) {
    if (e.kind === 'service') {
      if (!services!.has(e.name)) problems.push(`${e.role} ${e.name}: no such service on the robot`);
      continue;
    }
    const actual = topics.get(e.name);
    if (actual === undefined) {
      problems.push(`${e.role} ${e.name}: the topic does not exist on the robot (a type the bridge cannot load is refused silently)`);
    } else if (e.type !== undefined && actual !== e.type) {
      const spelling = sameType(actual, e.type) ? ` (same type, spelled for ROS ${ros === 1 ? 2 : 1}: set 'ros: ${ros === 1 ? 2 : 1}' in the profile?)` : '';
      problems.push(`${e.role} ${e.name}: the robot has type ${actual || '(unknown)'}, we use ${e.type}${spelling}`);
    }
  }
  return problems;
}

/** `checkInterfaces` with retries for graphs that settle slowly (ROS 2 discovery); rosapi silence is a problem too. */
export async function verifyInterfaces(call: ServiceCaller, expected: readonly Expected[], ros: RosVersion, options: { attempts?: number; delayMs?: number } = {}): Promise<string[]> {
  // ROS 2 discovery can take a second or two to show a topic just advertised: up to ~2 s of retries.
  const attempts = options.attempts ?? 8;
  let problems: string[] = [];
  for (let k = 0; k < attempts; k++) {
    try {
      problems = await checkInterfaces(call, expected, ros);
    } catch (err) {
      problems = [`rosapi did not answer (${errorMessage(err)}): interfaces cannot be verified; start rosapi_node (rosbridge's launch files start it)`];
    }
    if (problems.length === 0) return problems;
    if (k < attempts - 1) await new Promise((r) => setTimeout(r, options.delayMs ?? 250));
  }
  return problems;
}
