/**
 * `skillforge robot-sim`: serve the simulated kitchen robot over rosbridge v2 on 127.0.0.1 until
 * interrupted, for roslib, roslibpy, Foxglove-style tools or `skillforge robot --url`.
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
    .action(async (flags: { port: string; profile?: string; seed: string; simSpeed: string }) => {
      const port = intOption(flags.port, '--port', 0, 65535);
      const speed = positiveOption(flags.simSpeed, '--sim-speed');
      const [{ SimRobot }, profiles] = await Promise.all([import('../../robots/sim/server.js'), import('../../robots/profile.js')]);
      const profile = await profiles.loadProfile(flags.profile ?? profiles.builtinProfilePath('sim-kitchen'));
      const sim = await SimRobot.start({ profile, port, seed: kitchenSeedOption(flags.seed), navSpeed: speed });
      process.stdout.write(`simulated robot '${profile.name}' serving rosbridge v2 on ${sim.url} (Ctrl-C to stop)\n`);
      const { untilStopped } = await import('../signals.js');
      await untilStopped(); // SIGINT or SIGTERM (a process manager's stop): close cleanly, exit 130/143
      await sim.close();
    });
}
