/**
 * The `floe` command. A thin shell: each command module parses its options and calls library
 * functions; only this file turns a thrown error into an exit code.
 */
// First: V8's memory settings apply before anything allocates.
import './v8-memory.js';
import { errorMessage } from '../errors.js';
import { redact } from '../util/redact.js';
import { buildProgram } from './program.js';

// A reader that closes the pipe early (`floe table read … | head`) is not an error of the
// command: further output is dropped and the command finishes (a run is never abandoned half-way
// because nobody reads its log any more).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.stdout.write = (() => true) as typeof process.stdout.write;
});

const program = await buildProgram();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`floe: ${redact(errorMessage(e))}\n`);
  process.exitCode = process.exitCode || 1;
}
