/**
 * Reads an operator's regex back from a snippet this generator wrote: the operator CLI shows and
 * keeps the exclusion and exemption regexes of a service's active version.
 */
import { NORMALIZED_PATH_VCL } from './facts.js';

/**
 * The exclusion regex in a recv snippet this generator wrote, or null when the snippet is not
 * recognisably ours.
 */
export function extractExcludeRegex(recvContent: string): string | null {
  return extractRegexBefore(recvContent, 'set req.http.X-Scorer-State = "skipped-excluded";');
}

/** The exemption regex in an enforce snippet this generator wrote, or null. */
export function extractExemptRegex(enforceContent: string): string | null {
  return extractRegexBefore(enforceContent, 'set req.http.X-Scorer-Exempt = "path";');
}

/**
 * The `{"…"}` regex of the condition whose block starts (after comments) with `statement`: in
 * today's form (tested against the normalised path, with the steering guard) and in the form of
 * snippets generated before it (`req.url.path ~ {"…"}`), so a deployed older version still reads.
 */
function extractRegexBefore(content: string, statement: string): string | null {
  const escaped = statement.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const subject = `(?:req\\.url\\.path|${NORMALIZED_PATH_VCL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})`;
  const match = new RegExp(
    `${subject} ~ \\{"([^"]*)"\\}(?: && [^\\n]*)?\\) \\{\\n(?:\\s*#[^\\n]*\\n)*\\s*${escaped}`,
  ).exec(content);
  return match ? match[1]! : null;
}
