// node:test loads a --test-reporter module before tsx's --import hooks apply, so this
// plain-JS entry registers tsx itself and hands over to the TypeScript reporter.
import { register } from 'tsx/esm/api';

register();
const { default: summaryReporter } = await import('./summary-reporter.ts');
export default summaryReporter;
