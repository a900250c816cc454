/**
 * Scripted REST faults: the next n matching requests are answered some other way
 * (a status, a hang, a dropped connection, a delay), and outage windows.
 */

export interface FaultSpec {
  method?: string;
  /** Matched against the decoded request path, e.g. `/api/v10/webhooks/123/abc`. */
  path: RegExp;
  /** How many matching requests this fault serves (default 1). */
  times?: number;
  /** Answer with this status. 429 without `headers` gets Discord's rate-limit headers (see `retryAfterMs`). */
  status?: number;
  /** Response headers; when given for a 429, they replace the default rate-limit headers entirely. */
  headers?: Record<string, string>;
  /** Response body: an object is sent as JSON, a string as text/plain. */
  body?: unknown;
  /** For a default 429: seconds in Retry-After / Reset-After (as ms here). Default 500. */
  retryAfterMs?: number;
  /** For a default 429: send `X-RateLimit-Global` and scope `global`. */
  global?: boolean;
  /** Wait this long first (with no status/hang/drop: then handle the request normally). */
  delayMs?: number;
  /** Never answer (until the fake stops or the client gives up). */
  hang?: boolean;
  /**
   * Destroy the connection: `true` before handling the request; `'after-processing'` handles it
   * (the message is created) and then drops the answer — the case nonces exist for.
   */
  drop?: boolean | 'after-processing';
}

export interface FaultHandle {
  /** How many requests this fault has served so far. */
  readonly served: number;
  /** How many it will still serve. */
  readonly remaining: number;
  cancel(): void;
}

export interface OutageSpec {
  status?: number;
  /** Outage ends at this epoch ms… */
  untilMs?: number;
  /** …or this long from now (default 1000). */
  durationMs?: number;
  /** Only requests whose decoded path matches (default: every REST request). */
  path?: RegExp;
}

export interface OutageHandle {
  readonly endsAt: number;
  readonly active: boolean;
  /** Ends the outage now. */
  end(): void;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  served: number;
}

interface ActiveOutage {
  status: number;
  endsAt: number;
  path?: RegExp;
}

export class ScriptedFaults {
  private faults: ActiveFault[] = [];
  private outages: ActiveOutage[] = [];

  add(spec: FaultSpec): FaultHandle {
    const fault: ActiveFault = { spec, remaining: spec.times ?? 1, served: 0 };
    this.faults.push(fault);
    return {
      get served() {
        return fault.served;
      },
      get remaining() {
        return fault.remaining;
      },
      cancel: () => {
        fault.remaining = 0;
      },
    };
  }

  addOutage(spec: OutageSpec): OutageHandle {
    const outage: ActiveOutage = {
      status: spec.status ?? 503,
      endsAt: spec.untilMs ?? Date.now() + (spec.durationMs ?? 1000),
      ...(spec.path ? { path: spec.path } : {}),
    };
    this.outages.push(outage);
    return {
      get endsAt() {
        return outage.endsAt;
      },
      get active() {
        return Date.now() < outage.endsAt;
      },
      end: () => {
        outage.endsAt = 0;
      },
    };
  }

  /** The fault that serves this request (counted as served), if any. */
  take(method: string, path: string): FaultSpec | undefined {
    this.faults = this.faults.filter((f) => f.remaining > 0);
    const fault = this.faults.find((f) => (!f.spec.method || f.spec.method.toUpperCase() === method) && f.spec.path.test(path));
    if (!fault) return undefined;
    fault.remaining--;
    fault.served++;
    return fault.spec;
  }

  /** The status of an outage covering this request now, if any. */
  outageStatus(path: string, now = Date.now()): number | undefined {
    this.outages = this.outages.filter((o) => now < o.endsAt);
    return this.outages.find((o) => !o.path || o.path.test(path))?.status;
  }
}
