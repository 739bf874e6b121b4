/** Runs a command-line tool (promtool, amtool) and returns its output, or throws with all of it. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function runTool(binary: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(binary, args, { cwd });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`${binary} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
