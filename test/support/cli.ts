/**
 * Run the skillforge command line in this process, as `skillforge <args>` would, capturing what it
 * writes. Errors are not caught: a test sees the SkillforgeError (message and hint) that bin's
 * main() would print.
 *
 * @example
 *   const { out, code } = await runCli(['--data-dir', dir, 'saycan', '--suite']);
 */
import { buildProgram } from '../../bin/cli.js';

export interface CliRun {
  out: string;
  err: string;
  /** process.exitCode as the command left it (undefined: success); restored afterwards. */
  code: number | undefined;
}

export async function runCli(args: string[]): Promise<CliRun> {
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  let out = '';
  let err = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = await buildProgram();
    program.exitOverride();
    await program.parseAsync(args, { from: 'user' });
    return { out, err, code: process.exitCode as number | undefined };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = before;
  }
}
