/** A single request. */
import type { PaginationStrategy, RequestPatch } from './types.js';

export class NoPagination implements PaginationStrategy {
  constructor(private readonly firstPatch: RequestPatch = {}) {}
  first(): RequestPatch {
    return this.firstPatch;
  }
  next(): undefined {
    return undefined;
  }
}
