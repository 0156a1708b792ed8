/**
 * AWS SDK failures as FloeErrors that say which call failed on which resource, and what to do:
 * a missing resource names it and how to create it; a denied call names the IAM action to grant.
 * Messages carry the service's error name and message, never request payloads (which may hold
 * secret values).
 */
import { type ErrorKind, FloeError } from '../../errors.js';

export interface AwsCall {
  /** The API action, e.g. `GetSecretValue`. */
  readonly action: string;
  /** The resource, for messages: `secret 'x'`, `DynamoDB table t`. */
  readonly resource: string;
  /** The IAM action that allows it, e.g. `secretsmanager:GetSecretValue`. */
  readonly iam: string;
  /** What to do when the resource does not exist. */
  readonly ifMissing?: string;
  readonly context?: Record<string, string | number | undefined>;
}

const NOT_FOUND = new Set(['ResourceNotFoundException', 'NoSuchEntityException', 'EntityNotFoundException']);
const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
]);

export function awsErrorName(e: unknown): string {
  return (e as { name?: string })?.name ?? 'Error';
}

export function awsError(e: unknown, call: AwsCall): FloeError {
  if (e instanceof FloeError) return e;
  const name = awsErrorName(e);
  const detail = (e as { message?: string })?.message ?? String(e);
  const context = { resource: call.resource, awsError: name, ...(call.context ?? {}) };
  let kind: ErrorKind = 'io';
  let fix: string;
  if (NOT_FOUND.has(name)) {
    kind = 'not-found';
    fix = call.ifMissing ?? `create ${call.resource}, or correct its name`;
  } else if (DENIED.has(name)) {
    fix = `allow ${call.iam} on ${call.resource} in the job role's IAM policy`;
  } else {
    fix = 'check the AWS service health and the job’s network access; the SDK already retried';
  }
  return new FloeError(kind, `${call.action} on ${call.resource} failed: ${name}: ${detail} (fix: ${fix})`, {
    context,
    cause: e,
  });
}
