/**
 * Wrapping real SDK clients (pointed at moto) where moto cannot produce a behaviour: recording
 * what a client sent and got back, and failing chosen calls with the error AWS would return.
 * Everything else goes to moto unchanged.
 */
import { closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import type { MiddlewareStack } from '@smithy/types';

// biome-ignore lint/suspicious/noExplicitAny: the middleware stack of any SDK v3 client
type AnyClient = { middlewareStack: MiddlewareStack<any, any> };

export interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly error?: unknown;
}

/** Records every call of the client (command name, input, output or error). */
export function record<C extends AnyClient>(client: C): { client: C; calls: Call[] } {
  const calls: Call[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '');
      try {
        const r = await next(args);
        calls.push({
          command,
          input: args.input as Record<string, unknown>,
          output: r.output as Record<string, unknown>,
        });
        return r;
      } catch (error) {
        calls.push({ command, input: args.input as Record<string, unknown>, error });
        throw error;
      }
    },
    { step: 'initialize', name: 'floeTestRecorder' },
  );
  return { client, calls };
}

/** An AWS service error as the SDK throws it. */
export function awsFault(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/**
 * Runs after middleware added earlier (a recorder added first sees the injected errors).
 * Fails calls for which `fault(command, input)` returns an error (before they reach moto);
 * the others go through.
 */
export function inject<C extends AnyClient>(
  client: C,
  fault: (command: string, input: Record<string, unknown>) => Error | undefined,
): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName ?? '');
      const e = fault(command, args.input as Record<string, unknown>);
      if (e) throw e;
      return next(args);
    },
    { step: 'initialize', name: 'floeTestFault' },
  );
  return client;
}

/**
 * Glue's optimistic lock, which moto does not enforce (its UpdateTable ignores VersionId): an
 * UpdateTable whose VersionId is no longer the table's fails with ConcurrentModificationException,
 * as on AWS. The check and the update run under a lock file shared by every process given the
 * same `lockDir`, standing in for the atomicity of Glue's own conditional update.
 */
export function enforceGlueVersionId<C extends AnyClient>(client: C, lockDir: string): C {
  const reader = new GlueClient({});
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if ((context as { commandName?: string }).commandName !== 'UpdateTableCommand') return next(args);
      const input = args.input as { DatabaseName: string; VersionId?: string; TableInput: { Name: string } };
      const lock = join(lockDir, `${input.DatabaseName}.${input.TableInput.Name}.lock`);
      for (let i = 0; ; i++) {
        try {
          closeSync(openSync(lock, 'wx'));
          break;
        } catch {
          if (i > 2000) throw new Error(`test Glue lock ${lock} stuck`);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      try {
        const current = await reader.send(
          new GetTableCommand({ DatabaseName: input.DatabaseName, Name: input.TableInput.Name }),
        );
        if (current.Table?.VersionId !== input.VersionId)
          throw awsFault(
            'ConcurrentModificationException',
            `Update table failed due to concurrent modifications (VersionId ${input.VersionId} is not the current ${current.Table?.VersionId})`,
          );
        return await next(args);
      } finally {
        rmSync(lock, { force: true });
      }
    },
    { step: 'initialize', name: 'floeTestGlueVersionId' },
  );
  return client;
}
