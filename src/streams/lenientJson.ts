/**
 * Reading the trader's JSON state files field by field. They are written by hand-rolled
 * Python dicts that change between versions, so a missing or null field is normal (→ null)
 * and a field of the wrong type is noted as a warning rather than failing the whole document.
 */
import { toUtcIso } from './utcTimestamp';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "object", "array", "null", "string", … for messages. */
export function jsonTypeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

export class FieldReader {
  /**
   * @param path prefix for warnings, e.g. "positions[2]."
   * @param warnings shared with nested readers, so one document collects one list
   */
  constructor(
    private readonly object: JsonObject,
    readonly warnings: string[] = [],
    private readonly path = '',
  ) {}

  /** A reader of the nested object at `key`, or null when it is missing, null or not an object. */
  child(key: string, path = `${this.path}${key}.`): FieldReader | null {
    const value = this.object[key];
    if (value === undefined || value === null) return null;
    if (!isJsonObject(value)) return this.wrong(key, 'an object', value);
    return new FieldReader(value, this.warnings, path);
  }

  /** Numbers; numeric strings are accepted (some writers quote them). */
  number(key: string): number | null {
    const value = this.object[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    return this.wrong(key, 'a number', value);
  }

  integer(key: string): number | null {
    const value = this.number(key);
    if (value === null || Number.isInteger(value)) return value;
    return this.wrong(key, 'an integer', value);
  }

  string(key: string): string | null {
    const value = this.object[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    return this.wrong(key, 'a string', value);
  }

  boolean(key: string): boolean | null {
    const value = this.object[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'boolean') return value;
    return this.wrong(key, 'true or false', value);
  }

  /** An ISO date-time, returned as ISO 8601 UTC. */
  timestamp(key: string): string | null {
    const text = this.string(key);
    if (text === null) return null;
    return toUtcIso(text) ?? this.wrong(key, 'an ISO date-time', text);
  }

  /** A list of strings; other entries are dropped with a warning. */
  stringList(key: string): string[] {
    const value = this.object[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.wrong(key, 'a list', value);
      return [];
    }
    const strings = value.filter((item): item is string => typeof item === 'string');
    if (strings.length !== value.length) this.warnings.push(`${this.path}${key}: ${value.length - strings.length} entries are not strings; dropped`);
    return strings;
  }

  private wrong(key: string, expected: string, value: unknown): null {
    const shown = JSON.stringify(value) ?? String(value);
    this.warnings.push(`${this.path}${key}: expected ${expected}, got ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}; read as null`);
    return null;
  }
}
