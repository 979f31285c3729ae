/**
 * The robot panel's link to the safety layer: it listens to the events the safety layer emits
 * (e-stop, watchdog, clamps, refusals, connection) and keeps the hub's RobotView current, and it
 * registers the page's e-stop button as the hub action 'estop', which calls the safety layer's
 * `estop()` at once — synchronously in the request, never queued behind the agent's work (the agent
 * awaits the robot; the server's handler runs on the next turn of the event loop).
 *
 * ui/ does not import robots/: the command that wires the robot (bin/commands/robot.ts) passes its
 * SafeRobot, which fits `SafetyLayer`.
 *
 * @example
 *   const detach = attachRobot(hub, robot, { simulated: true });
 *   // the page's E-STOP button -> POST /api/action/estop -> robot.estop('e-stop button on the dashboard')
 */
import type { RobotView, UiHub } from './hub.js';

/** What the panel needs of robots/safety.ts's SafeRobot. */
export interface SafetyLayer {
  readonly profile: {
    name: string;
    safety: { limits: { maxLinear: number; maxAngular: number }; geofence: { polygon: [number, number][] }; watchdog: { periodMs: number } };
  };
  readonly dryRun: boolean;
  readonly connected: boolean;
  readonly estopped: boolean;
  estop(reason?: string): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

export const DASHBOARD_ESTOP_REASON = 'e-stop button on the dashboard';

export function attachRobot(hub: UiHub, robot: SafetyLayer, options: { simulated: boolean; onEstop?: () => void }): () => void {
  const s = robot.profile.safety;
  const view: RobotView = {
    name: robot.profile.name,
    connected: robot.connected,
    simulated: options.simulated,
    dryRun: robot.dryRun,
    estop: { latched: robot.estopped },
    watchdog: { periodMs: s.watchdog.periodMs, trips: 0 },
    clamps: { maxLinear: s.limits.maxLinear, maxAngular: s.limits.maxAngular, clamped: 0 },
    geofence: { polygon: s.geofence.polygon, refused: 0 },
    canEstop: true,
  };
  const publish = () => hub.robot({ ...view, connected: robot.connected, estop: { ...view.estop, latched: robot.estopped } });
  const handlers: [string, (...args: never[]) => void][] = [
    ['estop', ((e: { reason: string }) => {
      view.estop = { latched: true, reason: e.reason };
      hub.note(robot.profile.name, `E-STOP latched: ${e.reason}`);
      publish();
    }) as never],
    ['watchdog', ((e: { stalledMs: number }) => {
      view.watchdog = { ...view.watchdog, trips: view.watchdog.trips + 1, lastStallMs: e.stalledMs };
      publish();
    }) as never],
    ['clamped', (() => {
      view.clamps = { ...view.clamps, clamped: view.clamps.clamped + 1 };
      publish();
    }) as never],
    ['refused', ((e: { code: string; message: string }) => {
      if (/geofence/i.test(e.message)) view.geofence = { ...view.geofence, refused: view.geofence.refused + 1 };
      view.lastRefusal = `${e.code}: ${e.message}`;
      publish();
    }) as never],
    ['connection-lost', (() => publish()) as never],
    ['connection-restored', (() => publish()) as never],
  ];
  for (const [event, h] of handlers) robot.on(event, h);
  hub.action('estop', () => {
    // The robot first; then whatever the command does on an e-stop (abort the agent's run).
    robot.estop(DASHBOARD_ESTOP_REASON);
    options.onEstop?.();
  });
  publish();
  return () => {
    for (const [event, h] of handlers) robot.off(event, h);
  };
}
