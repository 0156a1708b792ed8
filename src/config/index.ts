/**
 * The config model: L1/L2 item schemas (the seed's DynamoDB items plus extensions), validation with
 * errors that name config, field and fix, the ConfigStore port and its file adapter, job
 * parameters, and column naming.
 */
export {
  LOAD_TYPES,
  type LoadType,
  type PartitionField,
  WRITE_MODES,
  type WriteMode,
} from './common-schema.js';
export type { ConfigStore, InvalidConfig, L1Selection, L2Selection } from './config-store.js';
export { type CatalogType, type CustomConfigs, parseCustomConfigs } from './custom-configs.js';
export { isTypedItem, normalizeItem, toTypedItem } from './dynamo-json.js';
export {
  FileConfigStore,
  type LayerConfigs,
  type LoadedConfig,
  loadProjectConfigs,
  type ProjectConfigs,
} from './file-config-store.js';
export { type ConfigProblem, configError, formatProblem } from './issues.js';
export {
  assertAwsParams,
  type JobParams,
  missingAwsParams,
  type ProcessLayer,
  parseJobParams,
} from './job-params.js';
export { configJsonSchema } from './json-schema.js';
export {
  type L1Config,
  type L1ConfigInput,
  L1ConfigSchema,
  type L1Destination,
  L1ItemSchema,
} from './l1-schema.js';
export {
  type L2Config,
  type L2ConfigInput,
  L2ConfigSchema,
  type L2Destination,
  L2ItemSchema,
  type L2SourceTable,
} from './l2-schema.js';
export { parseConfigText } from './load-items.js';
export { type ColumnNaming, resolveColumnName, resolveKeyColumns, toSnakeCase } from './naming.js';
export {
  type ItemOrigin,
  parseL1Item,
  parseL2Item,
  type ValidationResult,
  validateL1Item,
  validateL2Item,
  withLoadType,
} from './validate.js';
