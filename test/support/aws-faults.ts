/**
 * Wrapping real SDK clients (pointed at moto) where moto cannot produce a behaviour: recording
 * what a client sent and got back, and failing chosen calls with the error AWS would return.
 * Everything else goes to moto unchanged.
 */
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
    { step: 'initialize', name: 'floeTestFault', priority: 'high' },
  );
  return client;
}
