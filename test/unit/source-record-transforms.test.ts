/**
 * `source.response.fieldTypes` and `source.response.pivot`, and what the L1 encoder makes of
 * typed values: epoch strings and ISO texts with offsets become timestamptz columns in UTC,
 * dates become date columns, and nothing unparseable is written silently.
 */
import { describe, expect, it } from 'vitest';
import { FieldTypeSchema, PivotSchema } from '../../src/config/source-schema.js';
import { RowLineEncoder } from '../../src/l1/row-line.js';
import { convertValue, fieldTypeConverter, isoTimestamp } from '../../src/source/field-types.js';
import { CursorTracker } from '../../src/source/incremental.js';
import { pivotTransform } from '../../src/source/pivot.js';
import { JsonNumber } from '../../src/util/json-numbers.js';
import { DateValue, TimestampValue } from '../../src/util/typed-values.js';

const ts = (format: 'ISO8601' | 'EPOCH_SECONDS' | 'EPOCH_MILLIS') =>
  FieldTypeSchema.parse({ type: 'timestamp', format });

describe('field types', () => {
  it('ISO-8601 texts of any offset and precision become UTC timestamps (microseconds kept)', () => {
    expect(isoTimestamp('2024-01-31T10:00:00Z')).toBe('2024-01-31T10:00:00Z');
    expect(isoTimestamp('2024-01-31 10:00:00.1234567')).toBe('2024-01-31T10:00:00.123456Z');
    expect(isoTimestamp('2024-01-31T10:00:00+02:00')).toBe('2024-01-31T08:00:00Z');
    expect(isoTimestamp('2024-01-31T00:30:00.500-0130')).toBe('2024-01-31T02:00:00.5Z');
    expect(isoTimestamp('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(isoTimestamp('yesterday')).toBeUndefined();
  });

  it('epoch strings, numbers and JSON numbers', () => {
    expect(convertValue('1403034086', ts('EPOCH_SECONDS'))).toEqual(
      new TimestampValue('2014-06-17T19:41:26Z'),
    );
    expect(convertValue(1403034086123, ts('EPOCH_MILLIS'))).toEqual(
      new TimestampValue('2014-06-17T19:41:26.123Z'),
    );
    expect(convertValue(new JsonNumber('1403034086.0', 'float'), ts('EPOCH_SECONDS'))).toEqual(
      new TimestampValue('2014-06-17T19:41:26Z'),
    );
    expect(convertValue('', ts('EPOCH_SECONDS'))).toBeNull();
    expect(convertValue(null, ts('ISO8601'))).toBeNull();
    expect(convertValue('2024-01-01', FieldTypeSchema.parse({ type: 'date' }))).toEqual(
      new DateValue('2024-01-01'),
    );
  });

  it('converts nested fields in place and refuses a value that does not parse, naming the field', () => {
    const convert = fieldTypeConverter(
      { updatedAt: ts('EPOCH_SECONDS'), 'meta.created': ts('ISO8601') },
      'Eloqua_Emails',
    )!;
    const r = { updatedAt: '1700000000', meta: { created: '2024-01-01T00:00:00Z' }, other: '1' };
    convert(r);
    expect(r.updatedAt).toEqual(new TimestampValue('2023-11-14T22:13:20Z'));
    expect(r.meta.created).toEqual(new TimestampValue('2024-01-01T00:00:00Z'));
    expect(r.other).toBe('1');
    expect(() => convert({ updatedAt: 'soon' })).toThrow(
      /Eloqua_Emails: field 'updatedAt' holds "soon".*source\.response\.fieldTypes\.updatedAt/,
    );
  });

  it('typed values become timestamptz/date columns; the cursor of typed epochs is ISO-8601', () => {
    const enc = new RowLineEncoder('snake_case', { timestamp: '2024-01-01T00:00:00.000Z', runId: 'r' });
    const line = enc.encode({
      updatedAt: new TimestampValue('2024-01-31T10:00:00.5Z'),
      day: new DateValue('2024-01-31'),
    });
    expect(line).toContain('"updated_at":"2024-01-31T10:00:00.5Z"');
    expect(enc.fields().slice(0, 2)).toEqual([
      { name: 'updated_at', type: 'timestamptz', required: false },
      { name: 'day', type: 'date', required: false },
    ]);
    const t = new CursorTracker({ cursorField: 'u', cursorType: 'TIMESTAMP' }, 'C');
    t.observe({ u: new TimestampValue('2024-01-31T10:00:00Z') });
    t.observe({ u: new TimestampValue('2024-01-30T10:00:00Z') });
    expect(t.max()).toBe('2024-01-31T10:00:00Z');
    const e = new CursorTracker({ cursorField: 'u', cursorType: 'TIMESTAMP' }, 'C');
    e.observe({ u: '1403034086' });
    expect(e.max()).toBe('2014-06-17T19:41:26.000Z');
  });
});

describe('pivot', () => {
  const cfg = PivotSchema.parse({
    path: 'fieldDataList',
    keyPath: 'field.id',
    valuePath: 'values',
    listFlagPath: 'field.multivalued',
  });
  it('entries become fields; single-valued lists are unwrapped, multi-valued kept', () => {
    const pivot = pivotTransform(cfg, 'Medallia_Feedback')!;
    const r: Record<string, unknown> = {
      id: '1',
      fieldDataList: [
        { field: { id: 'q_nps', multivalued: false }, values: ['9'] },
        { field: { id: 'a_tags', multivalued: true }, values: ['a', 'b'] },
        { field: { id: 'e_empty', multivalued: false }, values: [] },
      ],
    };
    pivot(r);
    expect(r).toEqual({ id: '1', q_nps: '9', a_tags: ['a', 'b'], e_empty: null });
  });
  it('a key that would overwrite a record field is an error naming it', () => {
    const pivot = pivotTransform(cfg, 'Medallia_Feedback')!;
    expect(() => pivot({ id: '1', fieldDataList: [{ field: { id: 'id' }, values: ['x'] }] })).toThrow(
      /Medallia_Feedback: source\.response\.pivot: entry key 'id' is also a field/,
    );
  });
});
