/**
 * Wrike's error bodies: `{"errorDescription": "…", "error": "<code>"}` with the status that goes
 * with the code (developers.wrike.com/docs/errors-api-reference-v4).
 */
export type WrikeErrorCode =
  | 'invalid_request'
  | 'invalid_parameter'
  | 'parameter_required'
  | 'not_authorized'
  | 'access_forbidden'
  | 'not_allowed'
  | 'resource_not_found'
  | 'method_not_found'
  | 'too_many_requests'
  | 'rate_limit_exceeded'
  | 'server_error';

const STATUS: Record<WrikeErrorCode, number> = {
  invalid_request: 400,
  invalid_parameter: 400,
  parameter_required: 400,
  not_authorized: 401,
  access_forbidden: 403,
  not_allowed: 403,
  resource_not_found: 404,
  method_not_found: 404,
  too_many_requests: 429,
  rate_limit_exceeded: 429,
  server_error: 500,
};

/** Thrown by request handlers; the server turns it into Wrike's error response. */
export class WrikeApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: WrikeErrorCode,
    readonly description: string,
    status?: number,
  ) {
    super(`${code}: ${description}`);
    this.status = status ?? STATUS[code];
  }
  body(): string {
    return errorBody(this.code, this.description);
  }
}

export function errorBody(code: string, description: string): string {
  return JSON.stringify({ errorDescription: description, error: code });
}

export const RATE_LIMIT_BODY = errorBody(
  'rate_limit_exceeded',
  'Rate limit exceeded, please try again later',
);
