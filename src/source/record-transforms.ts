/**
 * The record transforms a config declares under `source.response`, composed in their fixed
 * order: `pivot` (entries become fields) then `fieldTypes` (texts become typed values). Both work
 * in place on the page's records; the cursor tracker sees the result.
 */
import type { SourceConfig } from '../config/source-schema.js';
import { fieldTypeConverter } from './field-types.js';
import { pivotTransform } from './pivot.js';

export type PageTransform = (records: unknown[]) => void;

export function pageTransform(
  response: SourceConfig['response'],
  configId: string,
): PageTransform | undefined {
  const steps = [
    pivotTransform(response.pivot, configId),
    fieldTypeConverter(response.fieldTypes, configId),
  ].filter((f): f is (r: unknown) => void => f !== undefined);
  if (steps.length === 0) return undefined;
  return (records) => {
    for (const r of records) for (const step of steps) step(r);
  };
}
