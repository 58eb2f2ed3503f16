/** The challenge routes (docs/headers.md). The VCL generator routes exactly these two paths to the scorer. */
export const CHALLENGE_PATH = '/.scorer/challenge';
export const CHALLENGE_VERIFY_PATH = '/.scorer/challenge/verify';
/** The challenge page's query parameter holding the original path and query (URL-encoded by the VCL). */
export const CHALLENGE_RETURN_PARAM = 'return';
