/**
 * The run's schemas, compiled for every registered operation: what the
 * workers judge responses with and the reporter draws its status matrix from.
 */
import { ConfigError } from '../config/env.ts';
import { runSchemasDir } from '../config/run-dirs.ts';
import { loadSchemaSet } from '../schema/schema-set.ts';
import { ResponseValidator } from '../schema/validator.ts';
import { registeredOperations } from './registry.ts';

/** Loads the run's schemas (schemas/, or the folder the global setup derived them into), turning any problem into a ConfigError naming the fix. */
export function loadSchemas(env: NodeJS.ProcessEnv = process.env): ResponseValidator {
  try {
    const validator = new ResponseValidator(loadSchemaSet(runSchemasDir(env)));
    for (const op of registeredOperations()) validator.operation(op.id);
    return validator;
  } catch (e) {
    // The validator's own message already says what to run.
    throw new ConfigError((e as Error).message);
  }
}
