/**
 * `skillforge robot-sim`: serve the simulated kitchen robot over rosbridge v2 on 127.0.0.1 until
 * interrupted, for roslib, roslibpy, Foxglove-style tools or `skillforge robot --url`.
 * `--real-server` behaves as rosbridge_suite does (see robots/sim/server.ts); the ROS generation
 * comes from the profile (`ros: 1` serves move_base over actionlib topics).
 *
 * @example
 *   skillforge robot-sim --port 9090 --real-server --profile robots/profiles/ros1-move-base.yaml
 */
import type { Command } from 'commander';
import { intOption, kitchenSeedOption, positiveOption } from '../options.js';

export function register(program: Command): void {
  program
    .command('robot-sim')
    .description('serve the simulated kitchen robot (rosbridge v2) on 127.0.0.1 until Ctrl-C')
    .option('--port <n>', 'TCP port; 0 picks a free one', '0')
    .option('--profile <file>', 'robot profile with the interfaces and locations to simulate (default: sim-kitchen)')
    .option('--seed <n>', 'seed of the kitchen', '0')
    .option('--sim-speed <m/s>', 'navigation speed', '0.5')
    .option('--real-server', 'behave as rosbridge_suite: integer fragment ids, float totals, silent refusals, slower services')
    .action(async (flags: { port: string; profile?: string; seed: string; simSpeed: string; realServer?: boolean }) => {
      const port = intOption(flags.port, '--port', 0, 65535);
      const speed = positiveOption(flags.simSpeed, '--sim-speed');
      const [{ SimRobot }, profiles] = await Promise.all([import('../../robots/sim/server.js'), import('../../robots/profile.js')]);
      const profile = await profiles.loadProfile(flags.profile ?? profiles.builtinProfilePath('sim-kitchen'));
      const sim = await SimRobot.start({ profile, port, seed: kitchenSeedOption(flags.seed), navSpeed: speed, ros: profile.ros, realServer: flags.realServer });
      process.stdout.write(`simulated robot '${profile.name}' (ROS ${profile.ros}${flags.realServer ? ', rosbridge_suite mode' : ''}) serving rosbridge v2 on ${sim.url} (Ctrl-C to stop)\n`);
      const { untilStopped } = await import('../signals.js');
      await untilStopped(); // SIGINT or SIGTERM (a process manager's stop): close cleanly, exit 130/143
      await sim.close();
    });
}
