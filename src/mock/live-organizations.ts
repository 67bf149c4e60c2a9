/**
 * The organizations of the `live` personality: created at start
 * (live-personality.ts), and looked up as the framework does, by exactly one
 * of `id` and `sub_domain`.
 */
import { invalidArgument, missingRequiredArgument, ORGANIZATION_NOT_FOUND, type MockError } from './errors.ts';
import { generateId } from './store.ts';

export interface LiveOrganization {
  id: string;
  sub_domain: string;
  name: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Organizations {
  private readonly byId = new Map<string, LiveOrganization>();
  private readonly bySubDomain = new Map<string, LiveOrganization>();

  add(sub_domain: string, name: string): LiveOrganization {
    const org = { id: generateId('org_'), sub_domain, name };
    this.byId.set(org.id, org);
    this.bySubDomain.set(sub_domain, org);
    return org;
  }

  /** The framework's lookup argument: exactly one of `id` and `sub_domain`. */
  lookup(arg: unknown, name = 'organization'): LiveOrganization | MockError {
    if (arg === undefined || arg === null) return missingRequiredArgument(name);
    if (!isPlainObject(arg)) return invalidArgument(name, "must be a lookup object: {\"id\": …} or {\"sub_domain\": …}");
    const { id, sub_domain } = arg;
    const hasId = id !== undefined && id !== null;
    const hasSub = sub_domain !== undefined && sub_domain !== null;
    if (hasId && hasSub) return invalidArgument(name, "'id' and 'sub_domain' are mutually exclusive; provide only one");
    if (!hasId && !hasSub) return missingRequiredArgument(`${name}.id or ${name}.sub_domain`);
    if (hasId && typeof id !== 'string') return invalidArgument(`${name}.id`, 'must be a string');
    if (hasSub && typeof sub_domain !== 'string') return invalidArgument(`${name}.sub_domain`, 'must be a string');
    const org = hasId ? this.byId.get(id as string) : this.bySubDomain.get(sub_domain as string);
    return org ?? ORGANIZATION_NOT_FOUND;
  }
}
