/**
 * The table layout a destination config asks for: a MERGE table is sorted by its primary key
 * unless icebergOptimizations.sortOrder says otherwise (`[]`: unsorted); other write modes are
 * unsorted by default; and a primary key that cannot order rows leaves the table unsorted rather
 * than failing the sync, while a sort order the config names itself fails, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { createWithLayout, type LayoutConfig, tableLayout } from '../../src/config/table-layout.js';
import { FloeError } from '../../src/errors.js';

function config(over: Partial<LayoutConfig> = {}): LayoutConfig {
  return {
    partitionBy: [],
    primaryKey: ['taskId', 'accountId'],
    defaultwriteMode: 'MERGE',
    columnNaming: 'snake_case',
    icebergOptimizations: {},
    ...over,
  };
}

describe('tableLayout sort order', () => {
  it('a MERGE table is sorted by its primary key, columns named as the table names them', () => {
    expect(tableLayout(config()).sortBy).toEqual([{ source: 'task_id' }, { source: 'account_id' }]);
    expect(tableLayout(config()).defaultSort).toBe(true);
  });

  it('sortOrder wins; [] leaves a MERGE table unsorted; APPEND and OVERWRITE are unsorted by default', () => {
    const own = tableLayout(
      config({ icebergOptimizations: { sortOrder: [{ source: 'updatedDate', direction: 'desc' }] } }),
    );
    expect(own.sortBy).toEqual([{ source: 'updated_date', direction: 'desc' }]);
    expect(own.defaultSort).toBe(false);
    expect(tableLayout(config({ icebergOptimizations: { sortOrder: [] } })).sortBy).toEqual([]);
    expect(tableLayout(config({ defaultwriteMode: 'APPEND' })).sortBy).toEqual([]);
    expect(tableLayout(config({ defaultwriteMode: 'OVERWRITE' })).sortBy).toEqual([]);
  });

  it('a primary key that cannot order rows leaves the table unsorted; a sortOrder of the config fails', async () => {
    const refuse = (sortBy: readonly unknown[]) => {
      if (sortBy.length > 0)
        throw new FloeError(
          'config-invalid',
          'sortOrder[0]: sort column "task_id" must be a primitive column',
          {
            context: { field: 'sortOrder[0]' },
          },
        );
      return Promise.resolve('created unsorted');
    };
    await expect(createWithLayout(tableLayout(config()), 'Tasks', refuse)).resolves.toBe('created unsorted');
    const own = tableLayout(config({ icebergOptimizations: { sortOrder: [{ source: 'taskId' }] } }));
    await expect(createWithLayout(own, 'Tasks', refuse)).rejects.toThrow(
      /config Tasks: destination\.icebergOptimizations\.sortOrder\[0\]/,
    );
  });
});
