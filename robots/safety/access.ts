/**
 * Access lists: which topics a commander may read or write and which services and actions it may
 * call, from the robot profile's `safety` section (glob patterns over ROS names; forbidden wins over
 * allowed). Each check returns why a name is refused, or null; the safety layer (robots/safety.ts)
 * turns a reason into a logged `E_SAFETY` refusal, so the wording lives here once.
 *
 * @example
 * const access = new AccessRules(profile);
 * access.topic('/cmd_vel', 'write');     // null: allowed
 * access.service('/reboot');             // "service /reboot is not in the profile's allowed services"
 */
import type { RobotProfile } from '../profile.js';

/** Glob over ROS names: '*' stays inside one segment, '**' crosses segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matcher(globs: readonly string[]): (name: string) => boolean {
  const res = globs.map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

/** The profile's topic, service and action lists as checks. */
export class AccessRules {
  readonly #estopTopic: string;
  readonly #topicRead: (n: string) => boolean;
  readonly #topicWrite: (n: string) => boolean;
  readonly #topicForbidden: (n: string) => boolean;
  readonly #serviceAllowed: (n: string) => boolean;
  readonly #serviceForbidden: (n: string) => boolean;
  readonly #actionAllowed: (n: string) => boolean;
  readonly #actionForbidden: (n: string) => boolean;

  constructor(profile: RobotProfile) {
    const s = profile.safety;
    this.#estopTopic = profile.interfaces.estop.topic;
    this.#topicRead = matcher(s.topics.readable);
    this.#topicWrite = matcher(s.topics.writable);
    this.#topicForbidden = matcher(s.topics.forbidden ?? []);
    this.#serviceAllowed = matcher(s.services.allowed);
    this.#serviceForbidden = matcher(s.services.forbidden ?? []);
    this.#actionAllowed = matcher(s.actions.allowed);
    this.#actionForbidden = matcher(s.actions.forbidden ?? []);
  }

  /** Why `topic` may not be read or written, or null. The e-stop topic is always open: it only makes the robot safer. */
  topic(topic: string, mode: 'read' | 'write'): string | null {
    if (topic === this.#estopTopic) return null;
    if (this.#topicForbidden(topic)) return `topic ${topic} is forbidden by the robot profile`;
    const ok = mode === 'read' ? this.#topicRead(topic) || this.#topicWrite(topic) : this.#topicWrite(topic);
    return ok ? null : `topic ${topic} is not ${mode === 'read' ? 'readable' : 'writable'} in the robot profile`;
  }

  /** Why `service` may not be called, or null. */
  service(service: string): string | null {
    if (this.#serviceForbidden(service)) return `service ${service} is forbidden by the robot profile`;
    if (!this.#serviceAllowed(service)) return `service ${service} is not in the profile's allowed services`;
    return null;
  }

  /** Why a goal may not be sent to `action`, or null. */
  action(action: string): string | null {
    if (this.#actionForbidden(action)) return `action ${action} is forbidden by the robot profile`;
    if (!this.#actionAllowed(action)) return `action ${action} is not in the profile's allowed actions`;
    return null;
  }
}
