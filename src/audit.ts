/**
 * The audit log line: one JSON object per scored request. No cookie values, no secrets, no full
 * client address; every string taken from the request is length-capped, and JSON.stringify
 * escapes it, so a hostile header cannot forge a second line or a field.
 */
const MAX_FIELD = 256;

export function capped(value: string | null | undefined, max = MAX_FIELD): string | null {
  if (value === null || value === undefined) return null;
  return value.length > max ? value.slice(0, max) + '…' : value;
}

/** IPv4 to its /24, IPv6 to its /48: enough to see a network, not a person. */
export function truncateIp(ip: string | null): string | null {
  if (ip === null || ip === '') return null;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0`;
  if (/^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':')) {
    const [head = ''] = ip.split('::');
    const groups = head.split(':').filter((g) => g.length > 0);
    const kept = ip.startsWith('::') ? [] : groups.slice(0, 3);
    return `${kept.join(':')}::/48`;
  }
  return 'invalid';
}

export interface AuditRecord {
  time: string;
  event: 'scored' | 'fail-open' | 'refused';
  mode: string;
  score?: number;
  layer1?: number;
  layer2?: number;
  reasons?: string[];
  cookie?: string;
  cookie_problem?: string;
  sid?: string;
  new_session?: boolean;
  requests?: number;
  page_views?: number;
  page_class?: string;
  model?: string;
  model_source?: string;
  key_id?: number;
  /** A declared crawler from its published ranges (the VCL's ACL check): scored, never acted on. */
  verified_bot?: string;
  /** A declared crawler claimed from outside its published ranges. */
  spoofed_bot?: string;
  error?: string;
  detail?: string;
  ip: string | null;
  method: string;
  path: string | null;
  ua: string | null;
  /** Request signals a browser navigation carries, kept for later evaluation (not scored yet). */
  sec_fetch_mode: string | null;
  sec_fetch_dest: string | null;
  accept_language: boolean;
}

export function auditLine(record: AuditRecord): string {
  return JSON.stringify(record);
}
